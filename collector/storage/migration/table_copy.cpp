#include "collector/storage/migration/table_copy.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <map>
#include <span>
#include <utility>

#include "collector/storage/migration/migration_tables.hpp"

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

Cell::Kind kind_for(const std::string& pg_type) {
  if (pg_type == "boolean") return Cell::Kind::kBoolean;
  if (pg_type == "bytea") return Cell::Kind::kBytes;
  if (pg_type == "bigint" || pg_type == "integer" || pg_type == "smallint") {
    return Cell::Kind::kInteger;
  }
  if (pg_type == "double precision" || pg_type == "real") return Cell::Kind::kReal;
  return Cell::Kind::kText;
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

}  // namespace

std::string sql_name(std::string_view identifier) {
  std::string out = "\"";
  for (char c : identifier) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
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

Result<std::uint64_t> copy_rows(sqlite::Database& source, postgres::Connection& target,
                                const TablePlan& plan,
                                const std::function<void(const std::string&)>& progress) {
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

}  // namespace triage::collector::migration
