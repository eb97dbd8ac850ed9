#pragma once
// The loadgen's last word: every report a simulated agent saw acknowledged is in the
// collector's database exactly once. The database is the collector's SQLite file, or a
// PostgreSQL database (postgres://... URL or libpq key=value string) shared by the nodes.

#include <cstddef>
#include <string>
#include <vector>

#include "bench/loadgen/identities.hpp"
#include "bench/loadgen/sim_agent.hpp"
#include "shared/util/result.hpp"

namespace triage::loadgen {

/// Whether `database` names a PostgreSQL database rather than a SQLite file.
bool is_postgres_database(const std::string& database);

/// How many acknowledged (device, seq) pairs of `stats` are not stored exactly once in
/// `database` (missing, or stored twice). An error when the database cannot be read.
Result<std::size_t> count_unstored_acks(const std::string& database,
                                        const std::vector<Identity>& ids,
                                        const std::vector<Stats>& stats);

}  // namespace triage::loadgen
