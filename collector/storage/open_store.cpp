#include "collector/storage/open_store.hpp"

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
  return fail(ErrorCode::kInvalid, "config key `storage.backend`: unknown backend `" +
                                       config.backend + "` (known: sqlite)");
}

}  // namespace triage::collector
