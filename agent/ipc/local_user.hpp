#pragma once
// Who runs this process, as the operating system says: `get-help` files a request in that
// account's name when no daemon answers and it queues the request itself.
// This header is the interface; each platform has one implementation (POSIX:
// posix/local_user.cpp, getuid and the password database).

#include <cstdint>
#include <string>

namespace triage::agent::ipc {

/// The account this process runs as.
struct LocalUser {
  std::uint32_t uid = 0;  ///< numeric id (POSIX uid)
  std::string name;       ///< account name ("" when it has none)
};

/// The account of the calling process.
LocalUser current_local_user();

}  // namespace triage::agent::ipc
