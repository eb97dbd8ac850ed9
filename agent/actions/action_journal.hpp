#pragma once
// The agent's own record of orders, in the state directory (actions.db, SQLite, synchronous
// = FULL): every nonce it has accepted, so a replayed order is refused even after a restart,
// and a hash-chained history of every order it ran or refused, which the endpoint's owner
// reads with `triage-agent history`. Each history entry's hash covers the previous entry's
// hash and the entry's exact stored text, so editing, deleting or reordering rows is seen.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "shared/sqlite/database.hpp"
#include "shared/util/result.hpp"

namespace triage::agent {

/// One order as the history keeps it.
struct HistoryEntry {
  std::int64_t id = 0;
  std::int64_t at_unix_ms = 0;
  /// order_id, action_id, outcome (succeeded, failed, refused), reason, argv, ticket_id,
  /// requested_by, approved_by, exit_code, duration_ms...
  nlohmann::json data = nlohmann::json::object();
  std::string prev_hash;  ///< hex; 64 zeros for the first entry
  std::string hash;       ///< hex
};

/// Where a history chain first breaks.
struct ChainBreak {
  std::int64_t entry_id = 0;
  std::string why;
};

class ActionJournal {
 public:
  static Result<std::unique_ptr<ActionJournal>> open(const std::filesystem::path& path);

  /// Records a nonce; false when it was seen before (a replay). Nonces of orders expired for
  /// more than a day are forgotten: such orders are refused as expired anyway.
  Result<bool> remember_nonce(std::string_view nonce, std::string_view order_id,
                              std::int64_t expires_at_unix_ms, std::int64_t now_unix_ms);
  /// Appends to the chain; returns the new head hash (raw 32 bytes).
  Result<std::string> append(std::int64_t at_unix_ms, const nlohmann::json& data);
  /// append() at the current time for a run or refusal that is reported whatever happens
  /// here: the new head, or "" after logging why the history could not be written.
  std::string record(const nlohmann::json& data);
  /// Oldest first.
  Result<std::vector<HistoryEntry>> entries();
  /// The first entry whose hash or link does not hold, if any.
  Result<std::optional<ChainBreak>> verify();

 private:
  explicit ActionJournal(std::unique_ptr<sqlite::Database> db) : db_(std::move(db)) {}
  std::unique_ptr<sqlite::Database> db_;
};

/// The hash of an entry: SHA-256 hex of prev_hash, a newline, and the stored JSON text.
std::string history_hash(std::string_view prev_hash, std::string_view data_text);

}  // namespace triage::agent
