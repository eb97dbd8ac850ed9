// HKLM string values, for the Windows facts. Windows.
#include "agent/collectors/windows/win32_text.hpp"

#include <windows.h>

#include <vector>

#include "shared/util/windows/wide_string.hpp"

namespace triage::agent {

std::optional<std::string> hklm_string(const wchar_t* subkey, const wchar_t* value) {
  DWORD bytes = 0;
  const DWORD flags = RRF_RT_REG_SZ | RRF_SUBKEY_WOW6464KEY;
  if (::RegGetValueW(HKEY_LOCAL_MACHINE, subkey, value, flags, nullptr, nullptr, &bytes) !=
          ERROR_SUCCESS ||
      bytes == 0) {
    return std::nullopt;
  }
  std::vector<wchar_t> buf(bytes / sizeof(wchar_t) + 1, L'\0');
  if (::RegGetValueW(HKEY_LOCAL_MACHINE, subkey, value, flags, nullptr, buf.data(), &bytes) !=
      ERROR_SUCCESS) {
    return std::nullopt;
  }
  return narrow(std::wstring_view(buf.data()));
}

}  // namespace triage::agent
