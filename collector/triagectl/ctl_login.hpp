#pragma once
// triagectl's session commands: logging in (the token is kept, mode 0600, for the server that
// issued it), changing one's own password, logging out. Passwords are read from the terminal
// without echo, or from standard input with --password-stdin.

#include <string>

#include "collector/triagectl/ctl_actions.hpp"
#include "collector/triagectl/ctl_session.hpp"

namespace triage::ctl {

/// POST /api/v1/auth/login as `name` and keeps the session token for --server. An account with
/// a second factor is asked for its code (with --password-stdin: the line after the password).
Result<void> login(const Globals& g, const std::string& name, bool password_stdin, const Output& o);
/// The signed-in user's own password; also how a required change (a new account, a reset by
/// an admin) is done from the shell. Other sessions of the user are signed out.
Result<void> change_password(const ApiCall& api, bool password_stdin, const Output& o);
/// Forgets the stored session.
Result<void> logout(const Globals& g, const Output& o);

}  // namespace triage::ctl
