#include "collector/storage/open_store.hpp"

#include "collector/storage/postgres/pg_leadership.hpp"
#include "collector/storage/postgres/postgres_store.hpp"
#include "collector/storage/sqlite/sqlite_leadership.hpp"
#include "collector/storage/sqlite/sqlite_store.hpp"

namespace triage::collector {

namespace {

Result<void> check_postgres_url(const StorageConfig& config) {
  if (!config.url.empty()) return {};
  return fail(ErrorCode::kInvalid,
              "config key `storage.url`: the PostgreSQL backend needs the database's url");
}

Error unknown_backend(const StorageConfig& config) {
  return Error{"config key `storage.backend`: unknown backend `" + config.backend +
                   "` (known: sqlite, postgres)",
               ErrorCode::kInvalid};
}

}  // namespace

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
    if (auto r = check_postgres_url(config); !r) return tl::unexpected(r.error());
    // A command opens, writes a little and exits: a connection or two is all it uses.
    PostgresStoreOptions options;
    if (use == StoreUse::kCommand) options.max_connections = 2;
    auto store = PostgresStore::open(config.url, options);
    if (!store) return tl::unexpected(store.error());
    return StorePtr(std::move(*store));
  }
  return tl::unexpected(unknown_backend(config));
}

Result<LeadershipPtr> open_leadership(const StorageConfig& config, std::string_view job) {
  if (config.backend == "sqlite") return LeadershipPtr(std::make_unique<SqliteLeadership>());
  if (config.backend == "postgres") {
    if (auto r = check_postgres_url(config); !r) return tl::unexpected(r.error());
    return LeadershipPtr(std::make_unique<PgLeadership>(config.url, std::string(job)));
  }
  return tl::unexpected(unknown_backend(config));
}

}  // namespace triage::collector
