#pragma once
// Authentication endpoints.
//   POST   /api/v1/auth/login        {name, password, session?} -> {token, expires_at, user};
//                                    with "session": "cookie": Set-Cookie triage_session and
//                                    {csrf_token, expires_at, user}. Throttled: 429 + Retry-After
//   POST   /api/v1/auth/logout       ends the calling session (and clears the cookie)
//   GET    /api/v1/auth/me           {user, auth, expires_at}
//   POST   /api/v1/auth/tokens       admin: {user, name, ttl_days?} -> 201 {id, token, expires_at}
//   GET    /api/v1/auth/tokens       admin: every API token, never its secret
//   DELETE /api/v1/auth/tokens/{id}  admin: revoke

#include "collector/api/api_context.hpp"

namespace triage::collector {

HttpResponse handle_login(ApiServices& services, ApiRequest& request);
HttpResponse handle_logout(ApiServices& services, ApiRequest& request);
HttpResponse handle_me(ApiServices& services, ApiRequest& request);
HttpResponse handle_create_api_token(ApiServices& services, ApiRequest& request);
HttpResponse handle_list_api_tokens(ApiServices& services, ApiRequest& request);
HttpResponse handle_revoke_api_token(ApiServices& services, ApiRequest& request);

}  // namespace triage::collector
