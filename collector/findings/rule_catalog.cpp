// One table of rules; adding a rule means adding its file in rules/ and one line here.
#include "collector/findings/rule_catalog.hpp"

#include <array>

#include "collector/findings/rules/rules.hpp"

namespace triage::collector {
namespace {

const std::array<const Rule*, 33> kCatalog = {
    // Storage
    &rules::kDiskFull,
    &rules::kDiskInodes,
    &rules::kSmartFailing,
    &rules::kSmartWarning,
    &rules::kRaidDegraded,
    &rules::kStorageErrors,
    // Memory
    &rules::kMemoryPressure,
    &rules::kMemoryLow,
    &rules::kSwapHeavy,
    &rules::kOomKills,
    &rules::kCommitHigh,
    // Services and processes
    &rules::kServiceFailed,
    &rules::kCpuHog,
    &rules::kJournalErrors,
    &rules::kRecentCrashes,
    &rules::kAutoStartStopped,
    &rules::kEventLogErrors,
    // Network
    &rules::kDnsFailing,
    &rules::kGatewayUnreachable,
    // System
    &rules::kClockUnsynchronized,
    &rules::kClockSkew,
    &rules::kRebootPending,
    &rules::kLongUptime,
    &rules::kSecurityUpdates,
    &rules::kUpdateListsStale,
    &rules::kWindowsUpdatesStale,
    &rules::kBugcheckRecent,
    // Security
    &rules::kAntivirusOff,
    &rules::kAntivirusSignaturesOld,
    &rules::kBitlockerOff,
    &rules::kFirewallProfileOff,
    // Peripherals
    &rules::kBatteryWorn,
    &rules::kStuckPrintJobs,
};

}  // namespace

std::span<const Rule* const> rule_catalog() { return kCatalog; }

const Rule* find_rule(std::string_view id) {
  for (const Rule* rule : kCatalog) {
    if (rule->id == id) return rule;
  }
  return nullptr;
}

nlohmann::json rule_catalog_json() {
  auto list = nlohmann::json::array();
  for (const Rule* rule : kCatalog) {
    list.push_back({{"id", std::string(rule->id)},
                    {"severity", severity_name(rule->default_severity)},
                    {"condition", std::string(rule->condition)}});
  }
  return list;
}

}  // namespace triage::collector
