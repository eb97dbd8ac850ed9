// disk.smart_warning: SMART attributes that precede failure on a drive that still passes.
#include <string>

#include "collector/findings/evidence_format.hpp"
#include "collector/findings/rules/rules.hpp"

namespace triage::collector::rules {
namespace {

/// Any remapped or pending sector is a drive that has started losing media; Backblaze's
/// fleet data links even small non-zero counts to much higher failure rates.
constexpr std::uint64_t kMaxReallocatedSectors = 0;
constexpr std::uint64_t kMaxPendingSectors = 0;
/// NVMe "percentage used": the vendor's endurance estimate consumed.
constexpr std::uint32_t kWarningWearPercent = 80;

void evaluate(const Rule& rule, const RuleContext& context, std::vector<Finding>& out) {
  for (const auto& dev : context.snapshot.hardware().block_devices()) {
    if (!dev.has_smart()) continue;
    const auto& smart = dev.smart();
    // A failing drive has its own, critical finding.
    if (smart.health() == v1::SmartStatus::FAILING) continue;
    std::vector<std::string> reasons;
    if (smart.has_reallocated_sectors() && smart.reallocated_sectors() > kMaxReallocatedSectors)
      reasons.push_back(std::to_string(smart.reallocated_sectors()) + " reallocated sectors");
    if (smart.has_pending_sectors() && smart.pending_sectors() > kMaxPendingSectors)
      reasons.push_back(std::to_string(smart.pending_sectors()) + " pending sectors");
    if (smart.has_wear_percent() && smart.wear_percent() >= kWarningWearPercent)
      reasons.push_back("wear " + std::to_string(smart.wear_percent()) + " % of rated endurance");
    if (reasons.empty()) continue;
    std::string evidence = "/dev/" + dev.name();
    if (!dev.model().empty()) evidence += " (" + dev.model() + ")";
    evidence += ": ";
    for (std::size_t i = 0; i < reasons.size(); ++i) evidence += (i ? ", " : "") + reasons[i];
    if (smart.has_power_on_hours())
      evidence += "; " + std::to_string(smart.power_on_hours()) + " power-on hours";
    out.push_back(make_finding(rule, Severity::kWarning, dev.name(),
                               "Disk " + dev.name() + " shows SMART wear or bad sectors",
                               std::move(evidence), {"collect-log-bundle"}));
  }
}

}  // namespace

const Rule kSmartWarning{
    .id = "disk.smart_warning",
    .default_severity = Severity::kWarning,
    .condition =
        "A disk still passing SMART reports reallocated sectors > 0, pending sectors > 0 "
        "or NVMe wear >= 80 %.",
    .kb_article =
        "The drive passes its overall self-test but has started remapping bad sectors, has "
        "unreadable sectors waiting, or has used most of its rated write endurance. Such drives "
        "fail far more often in the following months. L1: check the user's backup and note the "
        "disk for replacement. L2: watch whether the counts grow between snapshots (what-changed "
        "view); replace proactively when they do or when wear reaches 100 %.",
    .evaluate = &evaluate,
};

}  // namespace triage::collector::rules
