#pragma once
// Authentication endpoints.
//   POST   /api/v1/auth/login        {name, password, session?} -> {token, expires_at, user};
//                                    with "session": "cookie": Set-Cookie __Host-triage_session
//                                    and {csrf_token, expires_at, user}. Throttled: 429
//   POST   /api/v1/auth/logout       ends the calling session (and clears the cookie)
//   GET    /api/v1/auth/me           {user, auth, credential, expires_at}
//   POST   /api/v1/me/password       {current_password, new_password}: the caller's own; the
//                                    other sessions end, API tokens stay
//   POST   /api/v1/auth/password     the same (its first path)
//   POST   /api/v1/auth/tokens       {user?, name, ttl_days?} -> 201 {id, token, expires_at}:
//                                    for yourself; an admin also for a service account
//   GET    /api/v1/auth/tokens       your tokens (an admin: every token), never a secret
//   DELETE /api/v1/auth/tokens/{id}  revoke one of yours (an admin: anyone's)

#include "collector/api/api_context.hpp"

namespace triage::collector {

ApiResult handle_login(ApiServices& services, ApiRequest& request);
ApiResult handle_logout(ApiServices& services, ApiRequest& request);
ApiResult handle_me(ApiServices& services, ApiRequest& request);
ApiResult handle_create_api_token(ApiServices& services, ApiRequest& request);
ApiResult handle_list_api_tokens(ApiServices& services, ApiRequest& request);
ApiResult handle_revoke_api_token(ApiServices& services, ApiRequest& request);
ApiResult handle_change_password(ApiServices& services, ApiRequest& request);

}  // namespace triage::collector
