#pragma once
// Staff accounts, for admins.
//   GET   /api/v1/users        every user (never a password hash)
//   POST  /api/v1/users        {name, role, password} -> 201 user
//   PATCH /api/v1/users/{id}   {role?, disabled?} -> user; disabling ends the user's sessions
//                              and revokes their API tokens at once
//   POST  /api/v1/users/{name}/reset-password
//                              -> {user, temporary_password}: a one-time password, shown once,
//                              that must be changed at next sign-in; the user's sessions end

#include "collector/api/api_context.hpp"

namespace triage::collector {

ApiResult handle_list_users(ApiServices& services, ApiRequest& request);
ApiResult handle_create_user(ApiServices& services, ApiRequest& request);
ApiResult handle_update_user(ApiServices& services, ApiRequest& request);
ApiResult handle_reset_password(ApiServices& services, ApiRequest& request);

}  // namespace triage::collector
