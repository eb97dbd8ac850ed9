#pragma once
// POST /api/v1/auth/login {name, password} -> {token, expires_at, user}

#include "collector/api/api_context.hpp"

namespace triage::collector {

HttpResponse handle_login(ApiServices& services, ApiRequest& request);

}  // namespace triage::collector
