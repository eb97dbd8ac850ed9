#pragma once
// The recheck of a company directory user's sessions and API tokens: when one is used longer
// than [auth.ldap] recheck_seconds after the directory last confirmed its user, the directory is
// asked again (with the service account) before the request goes on.

#include <tl/expected.hpp>

#include "collector/api/api_context.hpp"

namespace triage::collector {

/// `user` (authenticated by `request`) as the request may go on with it. Local users and
/// directory users checked within the interval pass as they are. Otherwise the directory says:
/// - still there with a role: the role is stored (audited when it changed) and returned;
/// - gone, disabled (excluded by the user filter) or in no mapped group: every session and API
///   token of the user ends, audited (`auth.directory.revoked`), and the request is refused (401);
/// - unreachable: the request goes on while the last check is younger than recheck plus the
///   unreachable grace, then it is refused (503 `directory_unavailable`) with nothing ended, so
///   the sessions work again once the directory answers.
/// Without a directory configured, directory users are refused (401): nobody can vouch for them.
/// Blocks for the directory's round trips: runs on a REST worker, never an I/O thread.
tl::expected<User, ApiError> recheck_directory_user(ApiServices& services,
                                                    const ApiRequest& request, const User& user,
                                                    TimePoint now);

}  // namespace triage::collector
