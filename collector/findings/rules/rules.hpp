#pragma once
// Every findings rule, one per file in this folder. rule_catalog.cpp lists them in one table.

#include "collector/findings/rule.hpp"

namespace triage::collector::rules {

// Storage
extern const Rule kDiskFull;
extern const Rule kDiskInodes;
extern const Rule kSmartFailing;
extern const Rule kSmartWarning;
extern const Rule kRaidDegraded;
extern const Rule kStorageErrors;
// Memory
extern const Rule kMemoryPressure;
extern const Rule kMemoryLow;
extern const Rule kSwapHeavy;
extern const Rule kOomKills;
extern const Rule kCommitHigh;
// Services and processes
extern const Rule kServiceFailed;
extern const Rule kCpuHog;
extern const Rule kJournalErrors;
extern const Rule kRecentCrashes;
extern const Rule kAutoStartStopped;
extern const Rule kEventLogErrors;
// Network
extern const Rule kDnsFailing;
extern const Rule kGatewayUnreachable;
// System
extern const Rule kClockUnsynchronized;
extern const Rule kClockSkew;
extern const Rule kRebootPending;
extern const Rule kLongUptime;
extern const Rule kSecurityUpdates;
extern const Rule kUpdateListsStale;
extern const Rule kWindowsUpdatesStale;
extern const Rule kBugcheckRecent;
// Security
extern const Rule kAntivirusOff;
extern const Rule kAntivirusSignaturesOld;
extern const Rule kBitlockerOff;
extern const Rule kFirewallProfileOff;
// Peripherals
extern const Rule kBatteryWorn;
extern const Rule kStuckPrintJobs;

}  // namespace triage::collector::rules
