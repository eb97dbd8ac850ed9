// disk.smart_failing: the drive's own SMART self-assessment says it is failing.
#include <string>

#include "collector/findings/rules/rules.hpp"

namespace triage::collector::rules {
namespace {

void evaluate(const Rule& rule, const RuleContext& context, std::vector<Finding>& out) {
  for (const auto& dev : context.snapshot.hardware().block_devices()) {
    if (!dev.has_smart() || dev.smart().health() != v1::SmartStatus::FAILING) continue;
    std::string label = "/dev/" + dev.name();
    if (!dev.model().empty()) label += " (" + dev.model() + ")";
    std::string evidence = label + ": SMART overall health FAILING";
    if (!dev.smart().message().empty()) evidence += "; smartctl: " + dev.smart().message();
    out.push_back(make_finding(rule, Severity::kCritical, dev.name(),
                               "Disk " + dev.name() + " reports SMART failure", std::move(evidence),
                               {"collect-log-bundle"}));
  }
}

}  // namespace

const Rule kSmartFailing{
    .id = "disk.smart_failing",
    .default_severity = Severity::kCritical,
    .condition = "A disk's SMART overall-health self-assessment is FAILING.",
    .kb_article =
        "The drive itself predicts its failure, often within days. L1: make sure the user's data "
        "is backed up now and open a hardware replacement request; avoid reboots and heavy "
        "writes until then. L2: confirm with smartctl -a, clone the disk (ddrescue) if no backup "
        "exists, and replace it.",
    .evaluate = &evaluate,
};

}  // namespace triage::collector::rules
