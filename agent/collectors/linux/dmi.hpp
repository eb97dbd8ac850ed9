#pragma once
// Machine identity from SMBIOS (/sys/class/dmi/id). Linux.

#include <cstdint>
#include <string>

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// The dmi collector: vendor, model, serial, board, BIOS and chassis.
Result<void> collect_dmi(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
