#pragma once
// REG_SZ values of HKLM, as the UTF-8 the snapshot carries (UTF-16 to UTF-8:
// shared/util/windows/wide_string.hpp). Windows.

#include <optional>
#include <string>

namespace triage::agent {

/// A string value under HKEY_LOCAL_MACHINE (64-bit view); nullopt when absent or not a string.
std::optional<std::string> hklm_string(const wchar_t* subkey, const wchar_t* value);

}  // namespace triage::agent
