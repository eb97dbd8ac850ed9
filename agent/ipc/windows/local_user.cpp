// The local user on Windows: the account name of the process token (GetUserNameW). Windows
// accounts have SIDs, not numeric ids: uid is 0.
#include <windows.h>

#include <string>

#include "agent/ipc/local_user.hpp"

namespace triage::agent::ipc {
namespace {

std::string utf8(const wchar_t* text, int length) {
  if (length <= 0) return "";
  const int size = ::WideCharToMultiByte(CP_UTF8, 0, text, length, nullptr, 0, nullptr, nullptr);
  std::string out(static_cast<std::size_t>(size > 0 ? size : 0), '\0');
  ::WideCharToMultiByte(CP_UTF8, 0, text, length, out.data(), size, nullptr, nullptr);
  return out;
}

}  // namespace

LocalUser current_local_user() {
  wchar_t name[257] = {};
  DWORD size = static_cast<DWORD>(std::size(name));
  if (!::GetUserNameW(name, &size) || size == 0) return {0, ""};
  return {0, utf8(name, static_cast<int>(size - 1))};
}

}  // namespace triage::agent::ipc
