// service.failed: systemd units in the "failed" state, one finding per unit.
#include <string>

#include "collector/findings/rules/rules.hpp"
#include "collector/findings/rules/windows_platform.hpp"

namespace triage::collector::rules {
namespace {

/// The unit's journal error count when the journal collector reported one.
std::uint32_t journal_errors_of(const v1::HealthInfo& health, const std::string& unit) {
  if (!health.journal().available()) return 0;
  for (const auto& u : health.journal().units()) {
    if (u.unit() == unit) return u.count();
  }
  return 0;
}

void evaluate(const Rule& rule, const RuleContext& context, std::vector<Finding>& out) {
  const auto& health = context.snapshot.health();
  for (const auto& unit : context.snapshot.software().services().units()) {
    if (unit.active_state() != v1::ServiceUnit::FAILED) continue;
    std::string evidence = unit.name() + ": active state failed";
    if (!unit.sub_state().empty()) evidence += " (" + unit.sub_state() + ")";
    if (!unit.load_state().empty()) evidence += ", " + unit.load_state();
    if (!unit.description().empty()) evidence += "; \"" + unit.description() + "\"";
    if (auto errors = journal_errors_of(health, unit.name()); errors > 0) {
      evidence += "; " + std::to_string(errors) + " error entries in the journal over the last " +
                  std::to_string(health.journal().window_hours()) + " h";
    }
    // Only services can be restarted; a failed mount or timer needs a look at its log.
    std::vector<std::string> actions;
    if (unit.name().ends_with(".service")) actions.emplace_back("restart-service");
    actions.emplace_back(is_windows(context.snapshot) ? "collect-windows-log-bundle"
                                                      : "collect-log-bundle");
    out.push_back(make_finding(rule, Severity::kWarning, unit.name(),
                               "Service " + unit.name() + " failed", std::move(evidence),
                               std::move(actions)));
  }
}

}  // namespace

const Rule kServiceFailed{
    .id = "service.failed",
    .default_severity = Severity::kWarning,
    .condition = "A systemd unit is in the failed state (one finding per unit).",
    .kb_article =
        "The unit stopped with an error or could not start, so whatever it provides (printing, "
        "networking, a mount, a scheduled job) is missing. L1: restart the service once with "
        "restart-service; if it fails again, collect the log bundle and escalate. L2: read "
        "`journalctl -u <unit> -b`, fix the cause (configuration, missing file, dependency), "
        "then `systemctl reset-failed`.",
    .evaluate = &evaluate,
};

}  // namespace triage::collector::rules
