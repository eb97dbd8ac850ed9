#include "collector/storage/migration/sqlite_to_postgres.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <map>
#include <span>
#include <system_error>
#include <utility>

#include "collector/storage/migration/copied_store_view.hpp"
#include "collector/storage/migration/migration_tables.hpp"
#include "collector/storage/postgres/pg_connection.hpp"
#include "collector/storage/postgres/pg_report_partitions.hpp"
#include "collector/storage/postgres/postgres_schema.hpp"
#include "collector/storage/postgres/postgres_store.hpp"
#include "collector/storage/sqlite/schema.hpp"
#include "shared/sqlite/database.hpp"

namespace triage::collector::migration {

namespace {

// Rows per INSERT: one round trip for many rows, and a statement's parameters stay under
// PostgreSQL's limit of 65,535. Large rows (attachments, snapshots) flush a batch early.
constexpr std::size_t kBatchRows = 256;
constexpr std::size_t kBatchBytes = 8u << 20;
constexpr std::size_t kMaxParameters = 65535;
constexpr std::uint64_t kProgressEvery = 50'000;

/// One value read from SQLite, converted for its PostgreSQL column.
struct Cell {
  enum class Kind { kNull, kInteger, kReal, kBoolean, kText, kBytes };
  Kind kind = Kind::kNull;
  std::int64_t integer = 0;
  double real = 0;
  std::string text;  // kText, kBytes
};

struct Row {
  std::vector<Cell> cells;
  std::string key;  // names the row in errors: "id=7", "device_id=d1, tag=lab"
};

/// A column PostgreSQL receives: SQLite's column `source`, or derived when it is -1.
struct TargetColumn {
  std::string name;
  std::string pg_type;
  int source = -1;
};

struct TablePlan {
  std::string name;
  std::vector<std::string> source_columns;
  std::vector<TargetColumn> targets;
  std::vector<int> key_columns;  // SQLite's primary key, in key order
  int kind_column = -1;          // reports: the kind that decides `kept`
};

using Progress = std::function<void(const std::string&)>;

std::string sql_name(std::string_view identifier) {
  std::string out = "\"";
  for (char c : identifier) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

Cell::Kind kind_for(const std::string& pg_type) {
  if (pg_type == "boolean") return Cell::Kind::kBoolean;
  if (pg_type == "bytea") return Cell::Kind::kBytes;
  if (pg_type == "bigint" || pg_type == "integer" || pg_type == "smallint") {
    return Cell::Kind::kInteger;
  }
  if (pg_type == "double precision" || pg_type == "real") return Cell::Kind::kReal;
  return Cell::Kind::kText;
}

Result<TablePlan> plan_table(sqlite::Database& source, postgres::Connection& target,
                             std::string_view table) {
  TablePlan plan;
  plan.name = std::string(table);
  auto info = source.query("SELECT name, pk FROM pragma_table_info(?1) ORDER BY cid", table);
  if (!info) return tl::unexpected(info.error());
  std::vector<std::pair<std::int64_t, int>> keys;
  for (;;) {
    auto more = info->step();
    if (!more) return fail("table `" + plan.name + "`: reading its SQLite columns", more.error());
    if (!*more) break;
    const int index = static_cast<int>(plan.source_columns.size());
    plan.source_columns.push_back(info->column_text(0));
    if (const auto pk = info->column_int(1); pk > 0) keys.emplace_back(pk, index);
  }
  if (plan.source_columns.empty()) {
    return fail(ErrorCode::kInvalid, "table `" + plan.name + "` is missing from the SQLite file");
  }
  std::sort(keys.begin(), keys.end());
  for (const auto& [order, index] : keys) plan.key_columns.push_back(index);

  auto columns = target.query(
      "SELECT column_name, data_type FROM information_schema.columns "
      "WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
      plan.name);
  if (!columns) return tl::unexpected(columns.error());
  std::map<std::string, std::string> pg_types;
  for (int i = 0; i < columns->size(); ++i) pg_types[columns->text(i, 0)] = columns->text(i, 1);
  if (pg_types.empty()) {
    return fail(ErrorCode::kInvalid,
                "table `" + plan.name + "` is missing from the PostgreSQL schema");
  }
  const bool reports = table == kReportsTable;
  for (int i = 0; i < static_cast<int>(plan.source_columns.size()); ++i) {
    const auto& column = plan.source_columns[i];
    if (reports && column == "kind") plan.kind_column = i;
    auto found = pg_types.find(column);
    if (found != pg_types.end()) {
      plan.targets.push_back({column, found->second, i});
    } else if (!(reports && column == kReportsSqliteOnlyColumn)) {
      return fail(ErrorCode::kInvalid, "column `" + column + "` of table `" + plan.name +
                                           "` has no place in the PostgreSQL schema");
    }
  }
  if (reports) plan.targets.push_back({std::string(kReportsKeptColumn), "boolean", -1});
  return plan;
}

Row read_row(const sqlite::Statement& st, const TablePlan& plan, std::size_t& bytes) {
  Row row;
  row.cells.reserve(plan.targets.size());
  for (const auto& column : plan.targets) {
    Cell cell;
    if (column.source < 0) {
      cell.kind = Cell::Kind::kBoolean;
      cell.integer = st.column_text(plan.kind_column) != kHistoryKind ? 1 : 0;
    } else if (sqlite3_column_type(st.handle(), column.source) != SQLITE_NULL) {
      cell.kind = kind_for(column.pg_type);
      switch (cell.kind) {
        case Cell::Kind::kInteger:
        case Cell::Kind::kBoolean:
          cell.integer = st.column_int(column.source);
          break;
        case Cell::Kind::kReal:
          cell.real = st.column_real(column.source);
          break;
        case Cell::Kind::kText:
          cell.text = st.column_text(column.source);
          break;
        case Cell::Kind::kBytes:
          cell.text = st.column_blob(column.source);
          break;
        case Cell::Kind::kNull:
          break;
      }
    }
    bytes += cell.text.size() + 8;
    row.cells.push_back(std::move(cell));
  }
  for (int key : plan.key_columns) {
    if (!row.key.empty()) row.key += ", ";
    row.key += plan.source_columns[key] + "=" + st.column_text(key);
  }
  return row;
}

void add_cell(postgres::Params& params, const Cell& cell) {
  switch (cell.kind) {
    case Cell::Kind::kNull:
      return params.add(nullptr);
    case Cell::Kind::kInteger:
      return params.add(cell.integer);
    case Cell::Kind::kReal:
      return params.add(cell.real);
    case Cell::Kind::kBoolean:
      return params.add(cell.integer != 0);
    case Cell::Kind::kText:
      return params.add(cell.text);
    case Cell::Kind::kBytes:
      return params.add(postgres::Bytes{cell.text});
  }
}

Result<void> insert_rows(postgres::Connection& target, const TablePlan& plan,
                         std::span<const Row> rows) {
  std::string sql = "INSERT INTO " + sql_name(plan.name) + " (";
  for (std::size_t i = 0; i < plan.targets.size(); ++i) {
    sql += (i ? ", " : "") + sql_name(plan.targets[i].name);
  }
  sql += ") VALUES ";
  postgres::Params params;
  int n = 0;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    sql += r ? ", (" : "(";
    for (std::size_t c = 0; c < rows[r].cells.size(); ++c) {
      sql += (c ? ", $" : "$") + std::to_string(++n);
      add_cell(params, rows[r].cells[c]);
    }
    sql += ")";
  }
  return postgres::done(target.run(sql, std::move(params)));
}

/// Inserts the batch under a savepoint; when PostgreSQL refuses it, inserts its rows one at a
/// time to name the row it refuses.
Result<void> flush(postgres::Connection& target, const TablePlan& plan, std::vector<Row>& rows) {
  if (rows.empty()) return {};
  if (auto r = target.exec("SAVEPOINT migrate_batch"); !r) return r;
  auto all = insert_rows(target, plan, rows);
  if (all) {
    rows.clear();
    return target.exec("RELEASE SAVEPOINT migrate_batch");
  }
  if (auto r = target.exec("ROLLBACK TO SAVEPOINT migrate_batch"); !r) return r;
  for (const auto& row : rows) {
    if (auto one = insert_rows(target, plan, std::span(&row, 1)); !one) {
      return fail(one.error().code,
                  "table `" + plan.name + "`, row " + row.key + ": " + one.error().message);
    }
  }
  return fail(all.error().code, "table `" + plan.name + "`: " + all.error().message);
}

Result<std::uint64_t> copy_rows(sqlite::Database& source, postgres::Connection& target,
                                const TablePlan& plan, const Progress& progress) {
  std::string sql = "SELECT ";
  for (std::size_t i = 0; i < plan.source_columns.size(); ++i) {
    sql += (i ? ", " : "") + sql_name(plan.source_columns[i]);
  }
  sql += " FROM " + sql_name(plan.name);
  for (std::size_t i = 0; i < plan.key_columns.size(); ++i) {
    sql += (i ? ", " : " ORDER BY ") + sql_name(plan.source_columns[plan.key_columns[i]]);
  }
  auto st = source.prepare(sql);
  if (!st) return fail("table `" + plan.name + "`: reading SQLite", st.error());
  const std::size_t batch_rows =
      std::clamp<std::size_t>(kMaxParameters / plan.targets.size(), 1, kBatchRows);
  std::vector<Row> batch;
  std::size_t bytes = 0;
  std::uint64_t copied = 0;
  for (;;) {
    auto more = st->step();
    if (!more) return fail("table `" + plan.name + "`: reading SQLite", more.error());
    if (*more) batch.push_back(read_row(*st, plan, bytes));
    if (batch.size() >= batch_rows || bytes >= kBatchBytes || (!*more && !batch.empty())) {
      const auto n = batch.size();
      if (auto r = flush(target, plan, batch); !r) return tl::unexpected(r.error());
      if ((copied + n) / kProgressEvery != copied / kProgressEvery) {
        progress("  " + plan.name + ": " + std::to_string(copied + n) + " rows so far");
      }
      copied += n;
      bytes = 0;
    }
    if (!*more) return copied;
  }
}

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
  if (version_row->value_or(0) != expected) {
    return fail(ErrorCode::kInvalid,
                sqlite_file.string() + " is at schema version " +
                    std::to_string(version_row->value_or(0)) +
                    "; this triage-collector moves "
                    "version " +
                    std::to_string(expected) +
                    ": start this version's collector on it once (it upgrades the database), "
                    "stop it, then migrate");
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
