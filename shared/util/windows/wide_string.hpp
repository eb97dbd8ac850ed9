#pragma once
// UTF-8 (the project's strings) to and from UTF-16 (the Win32 "W" functions), and the text of a
// Win32 error code. Windows only.

#include "shared/util/windows/windows_api.hpp"

#include <string>
#include <string_view>

#include "shared/util/result.hpp"

namespace triage {

/// `utf8` as UTF-16; fails on invalid UTF-8 (a NUL passes through: callers check for it).
Result<std::wstring> widen(std::string_view utf8);

/// `utf16` as UTF-8; an unpaired surrogate becomes U+FFFD.
std::string narrow(std::wstring_view utf16);

/// "Access is denied. (5)": the system's message for `code`, and the code.
std::string windows_error_text(DWORD code);

/// windows_error_text(GetLastError()), prefixed with `what`: "CreateFileW: Access is denied. (5)".
std::string last_error_text(std::string_view what);

}  // namespace triage
