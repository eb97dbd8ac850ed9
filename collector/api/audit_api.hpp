#pragma once
// The audit log over REST, for seniors and admins (see docs/api.md for why those two).
//   GET /api/v1/audit   newest first; filters since, until (RFC 3339), type (prefix), actor,
//                       target; paging limit + before (a seq cursor); format=json (default),
//                       ndjson or csv for export

#include <string>

#include "collector/api/api_context.hpp"
#include "collector/storage/audit_records.hpp"

namespace triage::collector {

/// An event of `type` by the request's user (anonymous before authentication) from its peer
/// address, now, successful unless the caller changes `outcome`.
AuditEvent request_audit_event(const ApiRequest& request, std::string type, std::string target);

ApiResult handle_list_audit(ApiServices& services, ApiRequest& request);

}  // namespace triage::collector
