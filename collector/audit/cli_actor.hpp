#pragma once
// Audit events of administration commands run on the server (`triage-collector user add`...),
// which open the database directly.

#include <string>

#include "collector/storage/audit_records.hpp"

namespace triage::collector {

/// An event by "cli:<unix user>" (the effective user running the command), source "local".
/// Under sudo the invoking user, as sudo reports it, is added to the details.
AuditEvent cli_audit_event(std::string type, std::string target, TimePoint now);

}  // namespace triage::collector
