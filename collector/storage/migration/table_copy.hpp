#pragma once
// One table of `migrate-storage`: its columns matched between the SQLite file and the
// PostgreSQL schema by name and converted by the PostgreSQL type, and its rows copied in
// multi-row INSERTs inside the caller's transaction.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "collector/storage/postgres/pg_connection.hpp"
#include "shared/sqlite/database.hpp"
#include "shared/util/result.hpp"

namespace triage::collector::migration {

/// A column PostgreSQL receives: SQLite's column `source`, or derived when it is -1.
struct TargetColumn {
  std::string name;
  std::string pg_type;
  int source = -1;
};

/// How one table is copied.
struct TablePlan {
  std::string name;
  std::vector<std::string> source_columns;  ///< read from SQLite, in its order
  std::vector<TargetColumn> targets;        ///< written to PostgreSQL
  std::vector<int> key_columns;             ///< SQLite's primary key, in key order
  int kind_column = -1;                     ///< reports: the kind that decides `kept`
};

/// `identifier` quoted for SQL text.
std::string sql_name(std::string_view identifier);

/// Matches `table`'s SQLite columns with its PostgreSQL columns. kInvalid when the table is
/// missing on either side, or a SQLite column has no place in PostgreSQL (but those
/// migration_tables.hpp names).
Result<TablePlan> plan_table(sqlite::Database& source, postgres::Connection& target,
                             std::string_view table);

/// Copies every row of the table, in key order, inside `target`'s open transaction and
/// returns how many. A batch PostgreSQL refuses is undone to its savepoint and its rows are
/// inserted one at a time, so the error names the table and the row refused. `progress`
/// hears of large tables every 50,000 rows.
Result<std::uint64_t> copy_rows(sqlite::Database& source, postgres::Connection& target,
                                const TablePlan& plan,
                                const std::function<void(const std::string&)>& progress);

}  // namespace triage::collector::migration
