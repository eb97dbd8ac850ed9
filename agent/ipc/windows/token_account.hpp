#pragma once
// The account an access token belongs to. Windows only.

#include "shared/util/windows/windows_api.hpp"

#include <cstdint>
#include <string>

#include "shared/util/result.hpp"

namespace triage::agent::ipc {

/// A Windows account as the IPC and the help requests name it.
struct TokenAccount {
  /// The last sub-authority of the account's SID (1001 for a local user, 18 for SYSTEM): the
  /// numeric id the neutral code keeps as `uid`.
  std::uint32_t rid = 0;
  /// "DOMAIN\name" ("" when the SID has no name here).
  std::string name;
  /// "S-1-5-21-...-1001".
  std::string sid;
};

/// The user of `token` (opened with TOKEN_QUERY).
Result<TokenAccount> token_account(HANDLE token);

}  // namespace triage::agent::ipc
