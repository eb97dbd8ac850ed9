#pragma once
// Moving a site from SQLite to PostgreSQL (`triage-collector migrate-storage`): every row of
// the SQLite file copied as it is stored (ids, hashes, times, states) into an empty PostgreSQL
// database, in one transaction.
//
// A copy table by table, not through the repositories: the repositories create records (a
// ticket gets a new id, a user a new id, an audit append computes the next link of the
// chain), while a move must keep every row as it was: the ticket numbers staff quote, the
// user ids that sessions, API tokens and catalog proposals point at, an enrollment token's
// use count, an outbox message's delivery state, the audit chain and its signed checkpoints
// byte for byte. The two schemas hold the same tables and columns (the PostgreSQL schema was
// written from SQLite's), so one copier fits every table; where they differ is named in
// migration_tables.hpp.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "collector/storage/store.hpp"
#include "shared/util/result.hpp"

namespace triage::collector::migration {

struct StorageMigrationOptions {
  /// Copies staff login sessions too; without it everyone logs in again after the move.
  bool include_sessions = false;
  /// Receives a line per table and, for large tables, a line every 50,000 rows.
  std::function<void(const std::string&)> progress;
  /// Runs after the copy, inside the PostgreSQL transaction, with a store that reads the
  /// copied rows (CopiedStoreView); an error rolls everything back.
  std::function<Result<void>(Store& copied)> before_commit;
};

/// What was copied of one table.
struct MigratedTable {
  std::string name;
  std::uint64_t rows = 0;
  /// Not copied (sessions without include_sessions).
  bool skipped = false;
};

/// Copies the collector database `sqlite_file` into the PostgreSQL database at `conninfo`
/// (a libpq connection string or postgres:// URL), whose schema is applied first, and
/// returns the rows copied per table. The SQLite file is opened read-only and nothing is
/// written beside it. Everything commits in one transaction, or nothing does:
/// - kConflict when the PostgreSQL database holds rows already (naming a table that has);
/// - kInvalid when the SQLite file has its write-ahead log beside it (a collector still runs
///   on it, or did not stop cleanly), is not at the schema version this build writes, or has
///   a table or column the copy does not know;
/// - any error while copying names the table and the row (by its key) and rolls back.
Result<std::vector<MigratedTable>> migrate_sqlite_to_postgres(
    const std::filesystem::path& sqlite_file, const std::string& conninfo,
    const StorageMigrationOptions& options);

}  // namespace triage::collector::migration
