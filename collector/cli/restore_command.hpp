#pragma once
// `triage-collector restore`: a backup archive (collector/cli/backup_archive.hpp) made into a
// data directory again.

#include <filesystem>

#include "collector/server/data_dir.hpp"

namespace triage::collector {

struct RestoreArgs {
  /// The archive `backup` wrote.
  std::filesystem::path from;
};

/// Restores into `dir`, which must be absent or empty (a directory in use is never
/// overwritten). Every file must be one a backup holds, listed in the manifest with the same
/// size and SHA-256, and every file the manifest lists must be there; otherwise nothing is left
/// behind. Then the database is opened (migrated when the backup is older than this collector)
/// and its audit chain verified. Prints what it did; returns the exit code (0 restored and
/// intact, 1 nothing restored, 2 restored but the audit chain is broken).
int run_restore(const DataDir& dir, const RestoreArgs& args);

}  // namespace triage::collector
