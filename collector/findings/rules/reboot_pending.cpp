// system.reboot_pending: updates asked for a reboot that has not happened yet.
#include <string>

#include "collector/findings/rules/rules.hpp"
#include "collector/findings/rules/windows_platform.hpp"

namespace triage::collector::rules {
namespace {

constexpr int kMaxPackagesShown = 5;
constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;
/// A reboot postponed for over a week is no longer "tonight": fixes stay inactive for good.
constexpr std::int64_t kLongPendingMs = 7 * kDayMs;

void evaluate(const Rule& rule, const RuleContext& context, std::vector<Finding>& out) {
  const auto& pending = context.snapshot.system().pending_reboot();
  if (!pending.required()) return;
  std::string evidence;
  // With the running kernel's modules gone, plugging in a device that needs a module fails.
  bool kernel_gone = false;
  for (const auto& reason : pending.reasons()) {
    if (!evidence.empty()) evidence += "; ";
    evidence += reason;
    kernel_gone = kernel_gone || reason.find("no longer installed") != std::string::npos;
  }
  if (evidence.empty()) evidence = "reboot required (no reason given)";
  if (pending.packages_size() > 0) {
    evidence += "; requested by:";
    for (int i = 0; i < pending.packages_size() && i < kMaxPackagesShown; ++i)
      evidence += " " + pending.packages(i);
    if (pending.packages_size() > kMaxPackagesShown)
      evidence += " and " + std::to_string(pending.packages_size() - kMaxPackagesShown) + " more";
  }
  bool long_pending = false;
  if (pending.has_since_unix_ms() && pending.since_unix_ms() > 0) {
    const std::int64_t age = context.as_of_unix_ms - pending.since_unix_ms();
    long_pending = age > kLongPendingMs;
    if (long_pending) evidence += "; pending for " + std::to_string(age / kDayMs) + " days";
  }
  out.push_back(make_finding(rule,
                             kernel_gone || long_pending ? Severity::kWarning : Severity::kInfo, "",
                             "Reboot pending after updates", std::move(evidence),
                             {is_windows(context.snapshot) ? "reboot-windows" : "reboot"}));
}

}  // namespace

const Rule kRebootPending{
    .id = "system.reboot_pending",
    .default_severity = Severity::kInfo,
    .condition =
        "The system reports a pending reboot (reboot-required flag, Windows' pending-"
        "reboot keys; warning when the running kernel is no longer installed or the reboot "
        "has been pending for more than 7 days).",
    .kb_article =
        "Updates were installed that only take effect after a restart (kernel, C library, "
        "firmware). Until then, security fixes are not active, and when the running kernel was "
        "removed new drivers cannot load (USB devices, VPN modules fail). L1: agree a time with "
        "the user and reboot. L2: nothing, unless the reboot keeps being postponed.",
    .evaluate = &evaluate,
};

}  // namespace triage::collector::rules
