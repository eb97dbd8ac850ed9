#pragma once
// `triagectl audit`: the collector's audit log as a table (seniors and admins).

#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "collector/triagectl/ctl_actions.hpp"

namespace triage::ctl {

struct AuditQuery {
  std::string type;  ///< event type prefix, e.g. auth. or device.revoked
  std::string actor;
  std::string target;
  std::string since;  ///< RFC 3339
  std::string until;
  int limit = 50;
  long before = 0;  ///< seq cursor from a previous page; 0: newest
};

/// "/api/v1/audit?..." for the query.
std::string audit_target(const AuditQuery& query);

/// The events of one GET /api/v1/audit answer as a table, newest first, then how to page on.
void print_audit(std::ostream& out, const nlohmann::json& body);

/// GET /api/v1/audit for the query, as a table (or the server's JSON).
Result<void> show_audit(const ApiCall& api, const AuditQuery& query, const Output& o);

}  // namespace triage::ctl
