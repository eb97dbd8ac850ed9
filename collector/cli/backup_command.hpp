#pragma once
// `triage-collector backup`: a consistent copy of a data directory while the collector serves
// it, in one 0600 archive (collector/cli/backup_archive.hpp).

#include <filesystem>
#include <string>

#include "collector/server/data_dir.hpp"

namespace triage::collector {

struct BackupArgs {
  /// The archive to write; refused when it exists.
  std::filesystem::path to;
  /// The collector's configuration file (`serve --config`), archived as collector.toml;
  /// "" = the data directory's own collector.toml when there is one.
  std::string config_file;
};

/// Snapshots the database with SQLite's online backup API (one read transaction: every report
/// committed, and so acknowledged, before it began is in it; the collector keeps writing), then
/// archives it with the PKI, the keys and the configuration and their SHA-256 in manifest.json.
/// Prints what it wrote; returns the exit code (0 written, 1 nothing written).
int run_backup(const DataDir& dir, const BackupArgs& args);

}  // namespace triage::collector
