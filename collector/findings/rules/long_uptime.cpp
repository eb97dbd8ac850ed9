// system.long_uptime: the machine has not been restarted for a long time.
#include <string>

#include "collector/findings/evidence_format.hpp"
#include "collector/findings/rules/rules.hpp"
#include "collector/findings/rules/windows_platform.hpp"
#include "shared/util/time_format.hpp"

namespace triage::collector::rules {
namespace {

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;
constexpr std::int64_t kInfoUptimeMs = 30 * kDayMs;
constexpr std::int64_t kWarningUptimeMs = 90 * kDayMs;

void evaluate(const Rule& rule, const RuleContext& context, std::vector<Finding>& out) {
  const std::int64_t boot = context.snapshot.system().boot_time_unix_ms();
  if (boot <= 0) return;
  const std::int64_t uptime = context.as_of_unix_ms - boot;
  if (uptime <= kInfoUptimeMs) return;
  const auto boot_time = TimePoint(std::chrono::milliseconds(boot));
  std::string evidence = "up " + format_duration_ms(uptime) +
                         " at the time of the snapshot; "
                         "booted " +
                         format_rfc3339(boot_time);
  if (context.snapshot.system().pending_reboot().required()) evidence += "; a reboot is pending";
  out.push_back(make_finding(rule, uptime > kWarningUptimeMs ? Severity::kWarning : Severity::kInfo,
                             "", "Up " + std::to_string(uptime / kDayMs) + " days without reboot",
                             std::move(evidence),
                             {is_windows(context.snapshot) ? "reboot-windows" : "reboot"}));
}

}  // namespace

const Rule kLongUptime{
    .id = "system.long_uptime",
    .default_severity = Severity::kInfo,
    .condition = "Uptime at the time of the snapshot above 30 days (warning above 90 days).",
    .kb_article =
        "The machine has run for weeks without a restart: kernel and library updates installed "
        "since are not active, and long-running desktops accumulate leaks and stale state. "
        "Servers may run long on purpose. L1: suggest a reboot at a convenient time. L2: for "
        "servers, plan a maintenance window or live patching.",
    .evaluate = &evaluate,
};

}  // namespace triage::collector::rules
