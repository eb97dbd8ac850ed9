#include "collector/storage/migration/sqlite_to_postgres.hpp"

#include <algorithm>
#include <system_error>

#include "collector/storage/migration/copied_store_view.hpp"
#include "collector/storage/migration/migration_tables.hpp"
#include "collector/storage/migration/table_copy.hpp"
#include "collector/storage/postgres/pg_connection.hpp"
#include "collector/storage/postgres/pg_report_partitions.hpp"
#include "collector/storage/postgres/postgres_schema.hpp"
#include "collector/storage/postgres/postgres_store.hpp"
#include "collector/storage/sqlite/schema.hpp"
#include "shared/sqlite/database.hpp"

namespace triage::collector::migration {

namespace {

using Progress = std::function<void(const std::string&)>;

/// The day partitions of the reports history that the copied deltas fall into.
Result<void> create_history_partitions(sqlite::Database& source, postgres::Connection& target) {
  auto days =
      source.query("SELECT MIN(received_at) FROM reports WHERE kind = ?1 GROUP BY received_at / ?2",
                   kHistoryKind, PgReportPartitions::kDayMs);
  if (!days) return tl::unexpected(days.error());
  PgReportPartitions partitions;
  for (;;) {
    auto more = days->step();
    if (!more) return fail("table `reports`: reading SQLite", more.error());
    if (!*more) return {};
    const auto day = PgReportPartitions::day_of(days->column_int(0));
    if (auto r = partitions.ensure(target, day, day); !r) {
      return fail("table `reports`: creating the history partition of day " + std::to_string(day),
                  r.error());
    }
  }
}

Result<void> check_empty(postgres::Connection& target) {
  for (const auto& table : kMigrationTables) {
    auto rows = target.query("SELECT EXISTS (SELECT 1 FROM " + sql_name(table.name) + ")");
    if (!rows) return tl::unexpected(rows.error());
    if (rows->boolean(0, 0)) {
      return fail(ErrorCode::kConflict,
                  "the PostgreSQL database is not empty (table `" + std::string(table.name) +
                      "` has rows): migrate-storage copies into an empty database only and "
                      "never merges; give it a new database (createdb)");
    }
  }
  return {};
}

/// Identity columns go on after the highest copied id, so the next ticket or user gets a new
/// number rather than a copied one.
Result<void> continue_identities(postgres::Connection& target) {
  auto columns = target.query(
      "SELECT table_name, column_name FROM information_schema.columns "
      "WHERE table_schema = current_schema() AND is_identity = 'YES'");
  if (!columns) return tl::unexpected(columns.error());
  for (int i = 0; i < columns->size(); ++i) {
    const auto table = columns->text(i, 0);
    const auto column = columns->text(i, 1);
    const bool copied = std::any_of(kMigrationTables.begin(), kMigrationTables.end(),
                                    [&](const MigrationTable& t) { return t.name == table; });
    if (!copied) continue;
    auto r = target.query("SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT MAX(" +
                              sql_name(column) + ") FROM " + sql_name(table) + "), 0) + 1, false)",
                          sql_name(table), column);
    if (!r) return fail("table `" + table + "`: continuing its ids", r.error());
  }
  return {};
}

Result<std::vector<MigratedTable>> copy_all(sqlite::Database& source, postgres::Connection& target,
                                            const StorageMigrationOptions& options,
                                            const Progress& progress) {
  if (auto r = target.exec("BEGIN ISOLATION LEVEL READ COMMITTED"); !r) {
    return tl::unexpected(r.error());
  }
  // The lock a starting node takes to migrate the schema: no node starts on the database
  // while the copy runs, and a second copy waits, then finds the rows of the first.
  if (auto r = target.query("SELECT pg_advisory_xact_lock($1)", postgres_schema::kMigrationLock);
      !r) {
    return tl::unexpected(r.error());
  }
  if (auto r = check_empty(target); !r) return tl::unexpected(r.error());

  std::vector<MigratedTable> tables;
  for (const auto& table : kMigrationTables) {
    MigratedTable done{std::string(table.name)};
    if (table.sessions && !options.include_sessions) {
      done.skipped = true;
      progress("  " + done.name + ": not copied (staff log in again; --with-sessions copies them)");
      tables.push_back(std::move(done));
      continue;
    }
    auto plan = plan_table(source, target, table.name);
    if (!plan) return tl::unexpected(plan.error());
    if (table.name == kReportsTable) {
      if (auto r = create_history_partitions(source, target); !r) return tl::unexpected(r.error());
    }
    auto copied = copy_rows(source, target, *plan, progress);
    if (!copied) return tl::unexpected(copied.error());
    auto count = target.query("SELECT count(*) FROM " + sql_name(table.name));
    if (!count) return tl::unexpected(count.error());
    if (static_cast<std::uint64_t>(count->int64(0, 0)) != *copied) {
      return fail("table `" + done.name + "`: " + std::to_string(*copied) +
                  " rows copied but PostgreSQL holds " + std::to_string(count->int64(0, 0)));
    }
    done.rows = *copied;
    progress("  " + done.name + ": " + std::to_string(done.rows) + " rows");
    tables.push_back(std::move(done));
  }
  if (auto r = continue_identities(target); !r) return tl::unexpected(r.error());
  if (options.before_commit) {
    CopiedStoreView copied(target);
    if (auto r = options.before_commit(copied); !r) return tl::unexpected(r.error());
  }
  if (auto r = target.commit(); !r) return fail("COMMIT", r.error());
  return tables;
}

}  // namespace

Result<std::vector<MigratedTable>> migrate_sqlite_to_postgres(
    const std::filesystem::path& sqlite_file, const std::string& conninfo,
    const StorageMigrationOptions& options) {
  const Progress progress = [&](const std::string& line) {
    if (options.progress) options.progress(line);
  };
  std::error_code ec;
  if (!std::filesystem::is_regular_file(sqlite_file, ec)) {
    return fail(ErrorCode::kNotFound, sqlite_file.string() + " does not exist");
  }
  auto wal = sqlite_file;
  wal += "-wal";
  if (std::filesystem::exists(wal, ec)) {
    return fail(ErrorCode::kInvalid,
                wal.string() +
                    " exists: a collector is still running on this data directory, or it "
                    "stopped without closing its database. Stop every collector that uses it; "
                    "after a crash, run `triage-collector audit verify --data DIR` once (it "
                    "folds the write-ahead log back into the database), then migrate");
  }
  sqlite::OpenOptions read_only;
  read_only.read_only = true;
  auto source = sqlite::Database::open(sqlite_file, read_only);
  if (!source) return tl::unexpected(source.error());

  auto version = source.value()->query("PRAGMA user_version");
  if (!version) return tl::unexpected(version.error());
  auto version_row = version->first([](const sqlite::Statement& st) { return st.column_int(0); });
  if (!version_row) return tl::unexpected(version_row.error());
  const auto expected = static_cast<std::int64_t>(schema::kMigrations.size());
  if (const auto found = version_row->value_or(0); found != expected) {
    return fail(ErrorCode::kInvalid, sqlite_file.string() + " is at schema version " +
                                         std::to_string(found) + " and this triage-collector " +
                                         "moves version " + std::to_string(expected) +
                                         ": start this version's collector on it once (it "
                                         "upgrades the database), stop it, then migrate");
  }
  auto names = source.value()->query(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'");
  if (!names) return tl::unexpected(names.error());
  auto tables = names->rows([](const sqlite::Statement& st) { return st.column_text(0); });
  if (!tables) return tl::unexpected(tables.error());
  for (const auto& name : *tables) {
    const bool known = std::any_of(kMigrationTables.begin(), kMigrationTables.end(),
                                   [&](const MigrationTable& t) { return t.name == name; });
    if (!known) {
      return fail(ErrorCode::kInvalid, "table `" + name + "` of " + sqlite_file.string() +
                                           " is not known to migrate-storage");
    }
  }

  {
    // Applies the schema (and its migrations) as a starting node would.
    PostgresStoreOptions store_options;
    store_options.max_connections = 1;
    auto schema = PostgresStore::open(conninfo, store_options);
    if (!schema) return fail("PostgreSQL", schema.error());
  }
  auto target = postgres::Connection::connect(conninfo);
  if (!target) return fail("PostgreSQL", target.error());
  auto copied = copy_all(**source, **target, options, progress);
  if (!copied) (void)(*target)->exec("ROLLBACK");
  return copied;
}

}  // namespace triage::collector::migration
