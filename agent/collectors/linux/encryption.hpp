#pragma once
// Disk encryption (dm-crypt, crypttab) and Secure Boot. Linux.

#include <string>
#include <string_view>

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// "CRYPT-LUKS2-<uuid>-<name>" -> "LUKS2"; "" for non-crypt device-mapper uuids.
std::string crypt_type_from_dm_uuid(std::string_view uuid);
/// The encryption collector: encrypted volumes, root encryption and Secure Boot.
Result<void> collect_encryption(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
