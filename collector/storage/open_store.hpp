#pragma once
// The one place that names a storage backend: `serve`, `init` and the CLI commands open the
// store through open_store(), never through a backend's own type.

#include <string>

#include "collector/storage/store.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

/// [storage]: where the collector keeps its data.
struct StorageConfig {
  /// "sqlite" (the only backend so far): one file in the data directory.
  std::string backend = "sqlite";
};

/// How the store will be used: a serving collector checkpoints the SQLite WAL on a thread of
/// its own and keeps a larger page cache; a command opens, writes a little and exits.
enum class StoreUse { kServer, kCommand };

/// Opens (creating and migrating when needed) the configured backend. `sqlite_path`: the data
/// directory's database file, used by the SQLite backend. kInvalid for an unknown backend.
Result<StorePtr> open_store(const StorageConfig& config, const std::string& sqlite_path,
                            StoreUse use);

}  // namespace triage::collector
