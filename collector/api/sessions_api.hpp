#pragma once
// Login sessions as their users see them, and ending them.
//   GET    /api/v1/me/sessions              your sessions: {sessions: [{id, created_at,
//                                           last_seen_at, expires_at, source, user_agent,
//                                           method, kind, current}]}
//   DELETE /api/v1/me/sessions/{id}         ends one of yours (the current one too: a logout)
//   GET    /api/v1/users/{name}/sessions    admin: anyone's
//   DELETE /api/v1/users/{name}/sessions/{id}  admin: ends anyone's
// API tokens are listed and revoked under /api/v1/auth/tokens.

#include "collector/api/api_context.hpp"

namespace triage::collector {

ApiResult handle_list_own_sessions(ApiServices& services, ApiRequest& request);
ApiResult handle_revoke_own_session(ApiServices& services, ApiRequest& request);
ApiResult handle_list_user_sessions(ApiServices& services, ApiRequest& request);
ApiResult handle_revoke_user_session(ApiServices& services, ApiRequest& request);

}  // namespace triage::collector
