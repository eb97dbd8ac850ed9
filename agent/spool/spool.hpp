#pragma once
// The offline spool: every report that needs an acknowledgement (snapshot, delta, help request,
// order result) is written here, with its sequence number, before it is sent, and deleted only
// when the collector acknowledges it. One SQLite file (WAL) in the state directory, shared by
// the daemon and `get-help`. The sequence counter and the delta chain (the last reported
// snapshot state) live in the same file and change in the same transaction as the report, so a
// kill -9 at any moment leaves them consistent.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "shared/sqlite/database.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/envelope.pb.h"

namespace triage::agent::spool {

/// What a spooled report is; eviction treats them differently.
enum class ReportKind { kSnapshot, kDelta, kHelpRequest, kOrderResult };

/// "snapshot", "delta", "help_request", "order_result" (as stored and as the collector names
/// them).
std::string_view report_kind_name(ReportKind kind);

struct SpoolLimits {
  /// Cap on the stored report bytes. Deltas go first (oldest first), then full snapshots;
  /// help requests and order results are never evicted, even over the cap.
  std::uint64_t max_bytes = 64ull * 1024 * 1024;
};

/// One report waiting for its acknowledgement: the encoded AgentMessage, seq already set.
struct SpooledReport {
  std::uint64_t seq = 0;
  ReportKind kind = ReportKind::kSnapshot;
  std::string frame;
};

/// The last snapshot state reported to the collector and where its chain stands.
struct ChainState {
  std::uint64_t start_seq = 0;  ///< full snapshot that started the chain
  std::uint64_t last_seq = 0;   ///< last report of the chain (base_seq of the next delta)
  v1::Snapshot snapshot;        ///< the state after last_seq
};

/// A help request as `get-help` can follow it.
struct HelpStatus {
  std::uint64_t seq = 0;
  std::string state;  ///< "queued", "delivered" or "rejected"
  std::string ticket_id;
};

struct SpoolStats {
  std::uint64_t depth = 0;
  std::uint64_t bytes = 0;
  std::uint64_t evicted_total = 0;
  std::uint64_t next_seq = 1;
};

/// What an acknowledgement removed from the spool.
struct AckedReport {
  ReportKind kind = ReportKind::kSnapshot;
  std::string request_id;  ///< help requests only
};

class Spool {
 public:
  /// Opens or creates the spool file (mode 0600) and applies its schema.
  static Result<std::unique_ptr<Spool>> open(const std::filesystem::path& path,
                                             SpoolLimits limits = {});

  /// Allocates the next sequence number, stamps it into `message` and stores the encoded
  /// message, then evicts down to the cap — one transaction. A snapshot report starts a new
  /// chain at its seq; a delta must extend the current chain (`delta.base_seq` = its last_seq)
  /// and `chain_after` is the state it leads to. A help request whose request_id is already
  /// spooled is not stored again: its existing seq is returned.
  Result<std::uint64_t> append(v1::AgentMessage& message,
                               const v1::Snapshot* chain_after = nullptr);

  /// The chain deltas extend, or nullopt when there is none or it may be broken (a report of
  /// it was evicted, or break_chain() was called): the next report must be a full snapshot.
  Result<std::optional<ChainState>> chain();
  /// Forgets the chain (the collector lacks its base).
  Result<void> break_chain();

  /// Spooled reports with seq > `after_seq`, in seq order, at most `max_count` of them and
  /// stopping once `max_bytes` is reached (at least one is returned when any is waiting).
  Result<std::vector<SpooledReport>> pending_after(std::uint64_t after_seq, std::size_t max_count,
                                                   std::size_t max_bytes);
  /// True when a report of `kind` is waiting.
  Result<bool> has_pending(ReportKind kind);

  /// The collector acknowledged `seq` (stored, duplicate or rejected): forget it. nullopt when
  /// it was not spooled (already acknowledged, or evicted).
  Result<std::optional<AckedReport>> acknowledge(std::uint64_t seq, bool rejected,
                                                 const std::string& ticket_id);

  /// Makes sure no seq ≤ `committed` is ever allocated (HelloAck.last_committed_seq).
  Result<void> ensure_next_seq_above(std::uint64_t committed);

  Result<SpoolStats> stats();
  Result<std::optional<HelpStatus>> help_status(const std::string& request_id);

 private:
  Spool(std::unique_ptr<sqlite::Database> db, SpoolLimits limits)
      : db_(std::move(db)), limits_(limits) {}
  Result<void> migrate(const std::filesystem::path& path);
  Result<std::int64_t> meta(std::string_view key, std::int64_t fallback);
  Result<void> set_meta(std::string_view key, std::int64_t value);
  Result<void> evict_to_cap(std::uint64_t keep_seq);

  std::unique_ptr<sqlite::Database> db_;
  SpoolLimits limits_;
};

using SpoolPtr = std::unique_ptr<Spool>;

}  // namespace triage::agent::spool
