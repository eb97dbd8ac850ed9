#pragma once
// One registry key of the running machine, read for WinHost::registry(). Windows only.

#include <string_view>

#include "agent/collectors/windows_sources/win_host.hpp"

namespace triage::agent {

/// Most values and subkeys one key answers with; a key with more is cut (Windows keys that big
/// are caches, not settings a source reads).
inline constexpr std::size_t kMaxRegistryValues = 4096;
inline constexpr std::size_t kMaxRegistrySubkeys = 16384;
/// A value with more data is left out rather than cut (cut data would read as another value).
inline constexpr std::size_t kMaxRegistryValueBytes = 1024 * 1024;

/// The key at `path` ("HKLM\\SOFTWARE\\..."; roots HKLM, HKU, HKCR, HKCU or their long
/// HKEY_LOCAL_MACHINE spellings) in `view`: its values with their types, its subkeys' names and
/// its last write time. kNotFound when the key does not exist, kDenied when it cannot be read.
Result<RegistryKey> read_registry_key(std::string_view path, RegistryView view);

}  // namespace triage::agent
