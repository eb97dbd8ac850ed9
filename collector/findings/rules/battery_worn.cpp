// battery.worn: a battery whose full charge is well below its design capacity.
#include <string>

#include "collector/findings/evidence_format.hpp"
#include "collector/findings/rules/rules.hpp"

namespace triage::collector::rules {
namespace {

/// Most vendors replace under warranty below 60 % (or 80 % within the first year).
constexpr float kWarningHealthPercent = 60.0F;

void evaluate(const Rule& rule, const RuleContext& context, std::vector<Finding>& out) {
  for (const auto& battery : context.snapshot.hardware().batteries()) {
    if (!battery.has_health_percent() || battery.health_percent() >= kWarningHealthPercent)
      continue;
    std::string evidence = battery.name();
    if (!battery.model().empty()) evidence += " (" + battery.model() + ")";
    evidence += ": health " + format_percent(battery.health_percent());
    if (battery.has_full_wh() && battery.has_design_wh()) {
      evidence += ", full charge " + format_decimal(battery.full_wh()) + " Wh of " +
                  format_decimal(battery.design_wh()) + " Wh design";
    }
    if (battery.has_cycle_count())
      evidence += "; " + std::to_string(battery.cycle_count()) + " charge cycles";
    out.push_back(make_finding(rule, Severity::kWarning, battery.name(),
                               "Battery " + battery.name() + " worn (" +
                                   format_whole_percent(battery.health_percent()) +
                                   " of design capacity)",
                               std::move(evidence)));
  }
}

}  // namespace

const Rule kBatteryWorn{
    .id = "battery.worn",
    .default_severity = Severity::kWarning,
    .condition = "A battery's full-charge capacity is below 60 % of its design capacity.",
    .kb_article =
        "The battery holds less than 60 % of what it held new: the laptop runs out quickly and "
        "may shut down abruptly under load. Old batteries can also swell. L1: tell the user, "
        "check for physical swelling (lifting touchpad, gaps in the case), open a replacement "
        "request. L2: replace the battery; check the warranty first.",
    .evaluate = &evaluate,
};

}  // namespace triage::collector::rules
