#pragma once
// Account names from the password database (POSIX).

#include <sys/types.h>

#include <string>

namespace triage::agent::ipc {

/// The account name of `uid` ("" when it has none).
std::string account_name(uid_t uid);

}  // namespace triage::agent::ipc
