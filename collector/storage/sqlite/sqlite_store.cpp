// SqliteStore: opening, migrations and transactions. The repositories' methods sit in a
// file per area (sqlite_device_store.cpp, sqlite_auth_store.cpp, ...).
#include "collector/storage/sqlite/sqlite_store.hpp"

#include <filesystem>
#include <functional>

#include "collector/storage/sqlite/schema.hpp"

namespace triage::collector {

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path,
                                                       SqliteStoreOptions options) {
  sqlite::OpenOptions open_options;
  open_options.cache_kib = options.cache_kib;
  auto db = sqlite::Database::open(path, open_options);
  if (!db) return tl::unexpected(db.error());
  if (options.background_checkpoints) {
    // The checkpointer copies the WAL. A WAL that grew in a burst is cut back to 256 MiB when
    // it starts over, not less: writing frames into new file pages costs the kernel zeroing.
    if (auto r = (*db)->exec("PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=268435456;");
        !r) {
      return fail("configure database " + path, r.error());
    }
  }
  // The database holds webhook signing secrets: owner only, whatever the umask. SQLite
  // creates the -wal and -shm files with the database's mode; older ones are fixed too.
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::error_code ec;
    const std::filesystem::path file = path + suffix;
    if (std::filesystem::exists(file, ec)) {
      std::filesystem::permissions(
          file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
          std::filesystem::perm_options::replace, ec);
      if (ec) return fail("restricting " + file.string() + " to its owner: " + ec.message());
    }
  }
  std::unique_ptr<SqliteStore> store(new SqliteStore(std::move(*db), path));
  if (auto r = store->migrate(); !r) return fail("migrate " + path, r.error());
  if (options.background_checkpoints) {
    auto checkpointer = sqlite::WalCheckpointer::start(path);
    if (!checkpointer) return fail("checkpointing " + path, checkpointer.error());
    store->checkpointer_ = std::move(*checkpointer);
  }
  return store;
}

Result<SqliteStore::ReadConnection> SqliteStore::read_connection() {
  // Only this thread sets tx_thread_ to its own id, and only while it holds the writer.
  if (tx_thread_.load(std::memory_order_relaxed) == std::this_thread::get_id()) {
    return ReadConnection(db_.get());
  }
  auto lease = readers_.acquire();
  if (!lease) return tl::unexpected(lease.error());
  return ReadConnection(std::move(*lease));
}

Result<void> SqliteStore::run_write(const std::function<Result<void>(WriteTx&)>& body) {
  // One writer: BEGIN IMMEDIATE takes SQLite's write lock up front (other processes wait up
  // to the busy timeout), so a transaction never fails to serialize and `body` runs once.
  std::lock_guard lock(write_mutex_);
  const auto outer = tx_thread_.load(std::memory_order_relaxed);
  tx_thread_.store(std::this_thread::get_id(), std::memory_order_relaxed);
  auto result = sqlite::in_transaction(*db_, [&] { return body(write_tx_); });
  tx_thread_.store(outer, std::memory_order_relaxed);
  return result;
}

int SqliteStore::schema_version() {
  std::lock_guard lock(write_mutex_);
  auto st = db_->prepare("PRAGMA user_version");
  if (!st || !st->step().value_or(false)) return -1;
  return static_cast<int>(st->column_int(0));
}

Result<void> SqliteStore::migrate() {
  auto st = db_->prepare("PRAGMA user_version");
  if (!st) return tl::unexpected(st.error());
  auto row = st->step();
  if (!row) return tl::unexpected(row.error());
  const auto current = static_cast<std::size_t>(st->column_int(0));
  if (current > schema::kMigrations.size()) {
    return fail("database schema version " + std::to_string(current) +
                " is newer than this collector understands (" +
                std::to_string(schema::kMigrations.size()) + "): upgrade the collector");
  }
  for (std::size_t v = current; v < schema::kMigrations.size(); ++v) {
    auto applied = sqlite::in_transaction(*db_, [&]() -> Result<void> {
      if (auto r = db_->exec(schema::kMigrations[v]); !r) return r;
      return db_->exec("PRAGMA user_version = " + std::to_string(v + 1));
    });
    if (!applied) return fail("schema migration " + std::to_string(v + 1), applied.error());
  }
  return {};
}

}  // namespace triage::collector
