#pragma once
// Machine identity and memory modules from the SMBIOS table: BIOS vendor, version and date,
// system vendor, model and serial, board, chassis type, and each installed memory module.
// Source: api "smbios" (GetSystemFirmwareTable 'RSMB'); any user; one call, a few KB.

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

Result<void> collect_windows_smbios(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
