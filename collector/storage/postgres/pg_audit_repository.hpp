#pragma once
// PostgreSQL: the audit log's append-only records and signed checkpoints. The chain is
// AuditLog's; this stores what it is given. Appends from every node form one chain: inside a
// write, reading the head takes a transaction-scoped advisory lock first, so the next
// appender waits for this transaction and then reads the head it committed.

#include "collector/storage/audit_repository.hpp"
#include "collector/storage/postgres/pg_connector.hpp"

namespace triage::collector {

class PgAuditRepository final : public AuditRepository {
 public:
  /// The advisory lock (class, object) that serializes appends to the chain.
  static constexpr int kChainLockClass = 0x74726961;
  static constexpr int kChainLockObject = 1;

  explicit PgAuditRepository(postgres::Connector& connector) : connector_(connector) {}

  Result<std::optional<AuditRecord>> audit_head() override;
  Result<AuditPage> list_audit(const AuditFilter& filter) override;
  Result<void> scan_audit(std::uint64_t from_seq,
                          const std::function<bool(const AuditRecord&)>& visit) override;
  Result<std::vector<AuditCheckpoint>> audit_checkpoints() override;
  Result<void> insert_audit_record(const AuditRecord& record) override;
  Result<bool> insert_audit_checkpoint(const AuditCheckpoint& checkpoint) override;

 private:
  postgres::Connector& connector_;
};

}  // namespace triage::collector
