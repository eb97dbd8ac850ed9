#pragma once
// Which accounts the agent trusts with what it reads at start (its state folder, an enrollment
// token file): SYSTEM, the Administrators group, and the account the agent itself runs as (the
// service: SYSTEM). Windows only.

#include "shared/util/windows/windows_api.hpp"

namespace triage::agent {

/// True for LocalSystem, BUILTIN\Administrators, TrustedInstaller, or this process's own user.
bool trusted_account(PSID sid);

}  // namespace triage::agent
