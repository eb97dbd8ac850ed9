#pragma once
// Agent enrollment tokens for admins (the REST side of `triage-collector token create`).
//   GET    /api/v1/enrollment-tokens        every token: uses, expiry, state (never secrets)
//   POST   /api/v1/enrollment-tokens        create {uses?, ttl?}: the secret is answered once
//   DELETE /api/v1/enrollment-tokens/{id}   revoke: it enrolls no further device

#include "collector/api/api_context.hpp"

namespace triage::collector {

ApiResult handle_list_enrollment_tokens(ApiServices& services, ApiRequest& request);
ApiResult handle_create_enrollment_token(ApiServices& services, ApiRequest& request);
ApiResult handle_revoke_enrollment_token(ApiServices& services, ApiRequest& request);

}  // namespace triage::collector
