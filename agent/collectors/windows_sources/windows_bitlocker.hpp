#pragma once
// BitLocker: each volume's protection, conversion state, cipher and whether it is the system
// volume, and from the system volume whether the system is encrypted. WMI; administrator (the
// provider refuses other users); one query.

#include <cstdint>
#include <string>

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

Result<void> collect_windows_bitlocker(CollectContext& ctx, v1::Snapshot& out);

/// Win32_EncryptableVolume.EncryptionMethod as BitLocker's own tools name it ("XTS-AES 128");
/// "" for 0 (not encrypted) and for values it does not know.
std::string bitlocker_method_name(std::uint64_t method);

}  // namespace triage::agent
