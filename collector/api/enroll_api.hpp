#pragma once
// POST /api/v1/enroll {token, csr, hostname} -> 201 {device_id, certificate, ca}

#include "collector/api/api_context.hpp"

namespace triage::collector {

ApiResult handle_enroll(ApiServices& services, ApiRequest& request);

}  // namespace triage::collector
