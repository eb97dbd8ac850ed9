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
// Services and processes
extern const Rule kServiceFailed;
extern const Rule kCpuHog;
extern const Rule kJournalErrors;
extern const Rule kRecentCrashes;
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
// Peripherals
extern const Rule kBatteryWorn;
extern const Rule kStuckPrintJobs;

}  // namespace triage::collector::rules
