#pragma once
// The TPM (present, specification version, enabled, activated, manufacturer) and whether UEFI
// Secure Boot is on. WMI and the registry; any user (the TPM provider answers administrators
// only: others get Secure Boot alone, with a note); cheap.

#include <string>
#include <string_view>

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

Result<void> collect_windows_tpm_secure_boot(CollectContext& ctx, v1::Snapshot& out);

/// Win32_Tpm.SpecVersion "2.0, 0, 1.59" (version, level, revision) to "2.0".
std::string tpm_spec_version(std::string_view spec_version);

}  // namespace triage::agent
