#include "collector/storage/audit_records.hpp"

namespace triage::collector {

const char* audit_actor_kind_name(AuditActorKind kind) {
  switch (kind) {
    case AuditActorKind::kUser:
      return "user";
    case AuditActorKind::kDevice:
      return "device";
    case AuditActorKind::kSystem:
      return "system";
    case AuditActorKind::kCli:
      return "cli";
    case AuditActorKind::kAnonymous:
      return "anonymous";
  }
  return "anonymous";
}

const char* audit_outcome_name(AuditOutcome outcome) {
  switch (outcome) {
    case AuditOutcome::kSuccess:
      return "success";
    case AuditOutcome::kFailure:
      return "failure";
    case AuditOutcome::kDenied:
      return "denied";
  }
  return "failure";
}

}  // namespace triage::collector
