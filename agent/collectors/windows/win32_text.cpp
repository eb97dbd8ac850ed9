// UTF-16 to UTF-8 and HKLM string values, for the Windows facts. Windows.
#include "agent/collectors/windows/win32_text.hpp"

#include <windows.h>

#include <vector>

namespace triage::agent {

std::string utf8_from_wide(std::wstring_view text) {
  if (text.empty()) return "";
  const int length = static_cast<int>(text.size());
  const int size =
      ::WideCharToMultiByte(CP_UTF8, 0, text.data(), length, nullptr, 0, nullptr, nullptr);
  if (size <= 0) return "";
  std::string out(static_cast<std::size_t>(size), '\0');
  ::WideCharToMultiByte(CP_UTF8, 0, text.data(), length, out.data(), size, nullptr, nullptr);
  return out;
}

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
  return utf8_from_wide(std::wstring_view(buf.data()));
}

}  // namespace triage::agent
