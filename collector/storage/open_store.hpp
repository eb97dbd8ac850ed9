#pragma once
// The one place that names a storage backend: `serve`, `init` and the CLI commands open the
// store through open_store(), never through a backend's own type.

#include <string>

#include <string_view>

#include "collector/storage/leadership.hpp"
#include "collector/storage/store.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

/// [storage]: where the collector keeps its data.
struct StorageConfig {
  /// "sqlite": one file in the data directory (the default); "postgres": the PostgreSQL
  /// database at `url`, which several collector nodes may share.
  std::string backend = "sqlite";
  /// For "postgres": a libpq connection string or postgres:// URL.
  std::string url;
};

/// How the store will be used: a serving collector checkpoints the SQLite WAL on a thread of
/// its own and keeps a larger page cache; a command opens, writes a little and exits.
enum class StoreUse { kServer, kCommand };

/// Opens (creating and migrating when needed) the configured backend. `sqlite_path`: the data
/// directory's database file, used by the SQLite backend. kInvalid for an unknown backend or
/// "postgres" without a url; kUnavailable when PostgreSQL cannot be reached.
Result<StorePtr> open_store(const StorageConfig& config, const std::string& sqlite_path,
                            StoreUse use);

/// The leadership of background job `job` among the processes sharing the configured store
/// (leadership.hpp): SQLite's process always leads; PostgreSQL's nodes hold an advisory lock
/// named after the job. kInvalid as open_store().
Result<LeadershipPtr> open_leadership(const StorageConfig& config, std::string_view job);

}  // namespace triage::collector
