// disk.raid_degraded: a software RAID (md) array running without full redundancy.
#include <string>

#include "collector/findings/evidence_format.hpp"
#include "collector/findings/rules/rules.hpp"

namespace triage::collector::rules {
namespace {

void evaluate(const Rule& rule, const RuleContext& context, std::vector<Finding>& out) {
  for (const auto& array : context.snapshot.hardware().raid_arrays()) {
    if (!array.degraded()) continue;
    std::string evidence = array.name();
    if (!array.level().empty()) evidence += " (" + array.level() + ")";
    evidence += ": state \"" + array.state() + "\"";
    if (array.degraded_disks() > 0) {
      evidence += ", " + std::to_string(array.degraded_disks()) + " of " +
                  std::to_string(array.raid_disks()) + " member disks missing";
    }
    if (array.members_size() > 0) {
      evidence += "; present:";
      for (const auto& m : array.members()) evidence += " " + m;
    }
    if (!array.sync_action().empty() && array.sync_action() != "idle") {
      evidence += "; " + array.sync_action();
      if (array.has_sync_percent()) evidence += " " + format_percent(array.sync_percent());
    }
    out.push_back(make_finding(rule, Severity::kCritical, array.name(),
                               "RAID " + array.name() + " degraded", std::move(evidence),
                               {"collect-log-bundle"}));
  }
}

}  // namespace

const Rule kRaidDegraded{
    .id = "disk.raid_degraded",
    .default_severity = Severity::kCritical,
    .condition = "An md RAID array reports itself degraded (missing members or degraded state).",
    .kb_article =
        "The array still works but has lost its redundancy: one more disk failure loses data. "
        "L1: escalate. L2: identify the missing member (mdadm --detail), check its SMART data "
        "and cabling, replace it and re-add it (mdadm --add); watch the rebuild to completion.",
    .evaluate = &evaluate,
};

}  // namespace triage::collector::rules
