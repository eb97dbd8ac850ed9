#pragma once
// Row helpers of the integration tables, shared by the SQLite store's source files.

#include <string_view>
#include <vector>

#include "collector/storage/integration_records.hpp"
#include "shared/sqlite/database.hpp"

namespace triage::collector {

/// Integration targets matching `where_sql` (a fixed fragment, no values), oldest first, read
/// on `db` (the writer inside a transaction, or a reader).
Result<std::vector<IntegrationTarget>> list_targets_on(sqlite::Database& db,
                                                       std::string_view where_sql);

}  // namespace triage::collector
