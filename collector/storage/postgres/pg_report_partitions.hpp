#pragma once
// The day partitions of the reports history (reports_history_pYYYYMMDD, deltas by the day
// they were received, UTC). Created ahead by the store and on demand by the ingest writer,
// dropped whole by retention.

#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "collector/storage/postgres/pg_connection.hpp"
#include "collector/storage/records.hpp"

namespace triage::collector {

class PgReportPartitions {
 public:
  /// The advisory lock (class, object) that serializes partition DDL across nodes.
  static constexpr int kLockClass = 0x74726961;
  static constexpr int kLockObject = 2;
  static constexpr std::int64_t kDayMs = 86'400'000;

  /// Days since the Unix epoch (UTC) of a time in milliseconds.
  static std::int64_t day_of(std::int64_t ms);
  /// The partition's table name for a day ("reports_history_p20261206").
  static std::string table_name(std::int64_t day);

  /// Makes sure a partition exists for each day in [first_day, last_day], on `conn` (inside
  /// its transaction when it has one). Days known to exist cost nothing.
  Result<void> ensure(postgres::Connection& conn, std::int64_t first_day, std::int64_t last_day);
  /// The days that have a partition, oldest first (read from the catalog).
  Result<std::vector<std::int64_t>> existing(postgres::Connection& conn);
  /// Forgets a dropped day.
  void forget(std::int64_t day);

 private:
  std::mutex mutex_;
  // Days whose partition was seen in the catalog (committed, or created by the reader's own
  // transaction: a rollback then leaves a stale entry until forget()).
  std::set<std::int64_t> known_;
};

}  // namespace triage::collector
