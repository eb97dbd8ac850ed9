#pragma once
// Installed Windows updates as hotfixes (WMI Win32_QuickFixEngineering): id, kind and install
// day. Any user; one WMI query, which can take a second or two on a machine with many updates.

#include <cstdint>
#include <optional>
#include <string_view>

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// Win32_QuickFixEngineering's InstalledOn: "11/12/2026" (M/D/YYYY, what WMI gives), "20261112",
/// or the 16 hex digits of a FILETIME that some systems store instead; nullopt otherwise.
std::optional<std::int64_t> hotfix_installed_on(std::string_view text);

/// Fills SoftwareInfo.hotfixes, and Updates.last_installed_unix_ms with the newest install day
/// (windows_updates, which runs later, replaces it with the Windows Update history's instant).
Result<void> collect_windows_hotfixes(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
