#pragma once
// Temperatures and fans from hwmon. Linux.

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// The sensors collector: temperature and fan readings, and the CPU temperature.
Result<void> collect_sensors(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
