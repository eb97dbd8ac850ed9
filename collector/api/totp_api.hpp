#pragma once
// A person's second factor (TOTP, RFC 6238), from a signed-in session.
//   POST   /api/v1/me/totp          {current_password} -> {secret, otpauth_uri, digits,
//                                   period_seconds}: a new secret, in force once confirmed
//   POST   /api/v1/me/totp/confirm  {code} -> {totp_enabled, recovery_codes}: the first code
//                                   of the new secret puts it in force; 10 recovery codes,
//                                   shown only here
//   DELETE /api/v1/me/totp          {current_password}: removes it (refused to an admin when
//                                   [auth] require_totp_for_admins is set)

#include "collector/api/api_context.hpp"

namespace triage::collector {

ApiResult handle_begin_totp(ApiServices& services, ApiRequest& request);
ApiResult handle_confirm_totp(ApiServices& services, ApiRequest& request);
ApiResult handle_remove_totp(ApiServices& services, ApiRequest& request);

}  // namespace triage::collector
