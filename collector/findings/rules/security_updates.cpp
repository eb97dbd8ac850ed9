// updates.security_pending: security updates available but not installed.
#include <string>

#include "collector/findings/evidence_format.hpp"
#include "collector/findings/rules/rules.hpp"

namespace triage::collector::rules {
namespace {

/// Many pending fixes means updates are not being applied at all.
constexpr std::uint32_t kCriticalSecurityUpdates = 10;
constexpr int kMaxPackagesShown = 5;

void evaluate(const Rule& rule, const RuleContext& context, std::vector<Finding>& out) {
  const auto& updates = context.snapshot.software().updates();
  if (!updates.has_security_count() || updates.security_count() == 0) return;
  const std::uint32_t count = updates.security_count();
  std::string evidence = std::to_string(count) + " security updates pending";
  if (updates.has_pending_count())
    evidence += " of " + std::to_string(updates.pending_count()) + " updates";
  if (!updates.manager().empty()) evidence += " (" + updates.manager() + ")";
  int shown = 0;
  for (const auto& u : updates.pending()) {
    if (!u.security() || shown == kMaxPackagesShown) continue;
    evidence += (shown == 0 ? "; e.g. " : ", ") + u.name() + " " + u.installed_version() + " -> " +
                u.candidate_version();
    ++shown;
  }
  if (updates.lists_updated_unix_ms() > 0) {
    evidence += "; package lists refreshed " +
                format_duration_ms(context.as_of_unix_ms - updates.lists_updated_unix_ms()) +
                " before the snapshot";
  }
  if (!updates.complete()) evidence += "; some package lists were not read, count may be low";
  out.push_back(make_finding(
      rule, count >= kCriticalSecurityUpdates ? Severity::kCritical : Severity::kWarning, "",
      std::to_string(count) + (count == 1 ? " security update" : " security updates") + " pending",
      std::move(evidence)));
}

}  // namespace

const Rule kSecurityUpdates{
    .id = "updates.security_pending",
    .default_severity = Severity::kWarning,
    .condition = "At least one security update is pending (critical at 10 or more).",
    .kb_article =
        "Fixes for known vulnerabilities are available but not installed. A few pending for a "
        "day is normal; many means automatic updates are off or failing. L1: ask the user to "
        "run the software updater, or schedule it. L2: check unattended-upgrades (or dnf-"
        "automatic) configuration and logs, held packages, and a full /var or /boot blocking "
        "installation.",
    .evaluate = &evaluate,
};

}  // namespace triage::collector::rules
