// The local user on POSIX: the real uid and its name from the password database.
#include <pwd.h>
#include <unistd.h>

#include <array>

#include "agent/ipc/local_user.hpp"
#include "agent/ipc/posix/account_name.hpp"

namespace triage::agent::ipc {

std::string account_name(uid_t uid) {
  struct passwd pw {};
  struct passwd* found = nullptr;
  std::array<char, 4096> buf{};
  if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) != 0 || found == nullptr) return "";
  return pw.pw_name;
}

LocalUser current_local_user() {
  const uid_t uid = ::getuid();
  return {static_cast<std::uint32_t>(uid), account_name(uid)};
}

}  // namespace triage::agent::ipc
