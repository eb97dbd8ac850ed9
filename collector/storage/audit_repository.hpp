#pragma once
// The audit log's storage: append-only records and signed checkpoints. The hash chain is
// computed by collector/audit/ (AuditLog), not here: a backend stores what it is given.
// Read through a ReadTx or a WriteTx (collector/storage/transaction.hpp); a read through a
// WriteTx sees that transaction's own writes.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collector/storage/audit_records.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

/// The reads of this area.
class AuditReader {
 public:
  virtual ~AuditReader() = default;

  /// The newest record (the chain head), if any.
  virtual Result<std::optional<AuditRecord>> audit_head() = 0;
  /// Matching records, newest first.
  virtual Result<AuditPage> list_audit(const AuditFilter& filter) = 0;
  /// Calls `visit` for each record with seq >= `from_seq`, in seq order, until it returns false.
  virtual Result<void> scan_audit(std::uint64_t from_seq,
                                  const std::function<bool(const AuditRecord&)>& visit) = 0;
  /// Every checkpoint in seq order.
  virtual Result<std::vector<AuditCheckpoint>> audit_checkpoints() = 0;
};

/// The reads and writes of this area, reached from a WriteTx.
class AuditRepository : public AuditReader {
 public:
  /// Appends `record` as given (seq, prev_hash and hash computed by the caller from
  /// audit_head() read in the same transaction). kConflict when its seq is taken.
  virtual Result<void> insert_audit_record(const AuditRecord& record) = 0;
  /// Stores a checkpoint; false when one exists for that seq already.
  virtual Result<bool> insert_audit_checkpoint(const AuditCheckpoint& checkpoint) = 0;
};

}  // namespace triage::collector
