#include "collector/storage/open_store.hpp"

#include "collector/storage/postgres/postgres_store.hpp"
#include "collector/storage/sqlite/sqlite_store.hpp"

namespace triage::collector {

Result<StorePtr> open_store(const StorageConfig& config, const std::string& sqlite_path,
                            StoreUse use) {
  if (config.backend == "sqlite") {
    SqliteStoreOptions options;
    if (use == StoreUse::kServer) options = {.background_checkpoints = true, .cache_kib = 65536};
    auto store = SqliteStore::open(sqlite_path, options);
    if (!store) return tl::unexpected(store.error());
    return StorePtr(std::move(*store));
  }
  if (config.backend == "postgres") {
    if (config.url.empty()) {
      return fail(ErrorCode::kInvalid,
                  "config key `storage.url`: the PostgreSQL backend needs the database's url");
    }
    // A command opens, writes a little and exits: a connection or two is all it uses.
    PostgresStoreOptions options;
    if (use == StoreUse::kCommand) options.max_connections = 2;
    auto store = PostgresStore::open(config.url, options);
    if (!store) return tl::unexpected(store.error());
    return StorePtr(std::move(*store));
  }
  return fail(ErrorCode::kInvalid, "config key `storage.backend`: unknown backend `" +
                                       config.backend + "` (known: sqlite, postgres)");
}

}  // namespace triage::collector
