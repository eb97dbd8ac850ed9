#pragma once
// Staff accounts, for admins.
//   GET   /api/v1/users        every user (never a password hash)
//   POST  /api/v1/users        {name, role, password} -> 201 user
//   PATCH /api/v1/users/{id}   {role?, disabled?} -> user; disabling ends the user's sessions
//                              and revokes their API tokens at once

#include "collector/api/api_context.hpp"

namespace triage::collector {

ApiResult handle_list_users(ApiServices& services, ApiRequest& request);
ApiResult handle_create_user(ApiServices& services, ApiRequest& request);
ApiResult handle_update_user(ApiServices& services, ApiRequest& request);

}  // namespace triage::collector
