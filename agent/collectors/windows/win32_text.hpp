#pragma once
// UTF-16 from Win32 to the UTF-8 the snapshot carries, and REG_SZ values of HKLM. Windows.

#include <optional>
#include <string>
#include <string_view>

namespace triage::agent {

/// UTF-8 of a UTF-16 string; invalid sequences become U+FFFD.
std::string utf8_from_wide(std::wstring_view text);

/// A string value under HKEY_LOCAL_MACHINE (64-bit view); nullopt when absent or not a string.
std::optional<std::string> hklm_string(const wchar_t* subkey, const wchar_t* value);

}  // namespace triage::agent
