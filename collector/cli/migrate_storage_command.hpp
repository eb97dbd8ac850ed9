#pragma once
// `triage-collector migrate-storage`: moves a data directory's SQLite store into PostgreSQL.

#include <string>

#include "collector/server/data_dir.hpp"

namespace triage::collector {

struct MigrateStorageArgs {
  /// The PostgreSQL database (libpq connection string or postgres:// URL).
  std::string to;
  /// Copy staff login sessions too.
  bool with_sessions = false;
};

/// Copies `dir`'s database into PostgreSQL (collector/storage/migration/), verifying the audit
/// chain on the copy with the directory's public signing key before it commits. Prints
/// progress and the rows per table on stdout and a failure on stderr; returns the exit code
/// (0 copied, 1 nothing copied). Throws for a directory that is not initialized.
int run_migrate_storage(const DataDir& dir, const MigrateStorageArgs& args);

}  // namespace triage::collector
