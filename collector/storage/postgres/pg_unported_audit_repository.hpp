#pragma once
// PostgreSQL, not ported yet: the audit log. Every call fails with kUnavailable instead of
// crashing; the backend stays unselectable in open_store() until every area is ported.

#include "collector/storage/audit_repository.hpp"

namespace triage::collector {

class PgUnportedAuditRepository final : public AuditRepository {
 public:
  Result<std::optional<AuditRecord>> audit_head() override { return unavailable(); }
  Result<AuditPage> list_audit(const AuditFilter&) override { return unavailable(); }
  Result<void> scan_audit(std::uint64_t, const std::function<bool(const AuditRecord&)>&) override {
    return unavailable();
  }
  Result<std::vector<AuditCheckpoint>> audit_checkpoints() override { return unavailable(); }
  Result<void> insert_audit_record(const AuditRecord&) override { return unavailable(); }
  Result<bool> insert_audit_checkpoint(const AuditCheckpoint&) override { return unavailable(); }

 private:
  static tl::unexpected<Error> unavailable() {
    return fail(ErrorCode::kUnavailable, "audit: not yet supported by the PostgreSQL backend");
  }
};

}  // namespace triage::collector
