#include "bench/loadgen/acked_verification.hpp"

#include <libpq-fe.h>
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <unordered_map>

namespace triage::loadgen {

namespace {

/// Acknowledged seqs by device index.
std::unordered_map<std::uint32_t, std::vector<std::uint64_t>> acked_by_device(
    const std::vector<Stats>& stats) {
  std::unordered_map<std::uint32_t, std::vector<std::uint64_t>> out;
  for (const auto& s : stats) {
    for (auto [index, seq] : s.acked_reports) out[index].push_back(seq);
  }
  return out;
}

Result<std::size_t> count_in_sqlite(const std::string& path, const std::vector<Identity>& ids,
                                    const std::vector<Stats>& stats) {
  sqlite3* raw = nullptr;
  // Read-write so SQLite can recover the WAL of a collector that was killed; nothing is written.
  const int opened = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
  if (opened != SQLITE_OK) return fail("cannot open " + path);
  sqlite3_busy_timeout(db.get(), 10'000);
  sqlite3_stmt* raw_st = nullptr;
  if (sqlite3_prepare_v2(db.get(), "SELECT COUNT(*) FROM reports WHERE device_id = ? AND seq = ?",
                         -1, &raw_st, nullptr) != SQLITE_OK) {
    return fail(path + ": " + sqlite3_errmsg(db.get()));
  }
  std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> st(raw_st, &sqlite3_finalize);
  std::size_t unstored = 0;
  for (const auto& s : stats) {
    for (auto [index, seq] : s.acked_reports) {
      sqlite3_reset(st.get());
      sqlite3_bind_text(st.get(), 1, ids[index].device_id.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64(st.get(), 2, static_cast<sqlite3_int64>(seq));
      if (sqlite3_step(st.get()) != SQLITE_ROW || sqlite3_column_int(st.get(), 0) != 1) {
        ++unstored;
      }
    }
  }
  return unstored;
}

// One query per device (its stored seqs and how often each is stored): a few thousand round
// trips instead of one per acknowledged report.
Result<std::size_t> count_in_postgres(const std::string& conninfo, const std::vector<Identity>& ids,
                                      const std::vector<Stats>& stats) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(conninfo.c_str()), &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    return fail(std::string("PostgreSQL: ") + PQerrorMessage(conn.get()));
  }
  std::size_t unstored = 0;
  for (const auto& [index, seqs] : acked_by_device(stats)) {
    const char* params[] = {ids[index].device_id.c_str()};
    std::unique_ptr<PGresult, decltype(&PQclear)> rows(
        PQexecParams(conn.get(),
                     "SELECT seq, COUNT(*) FROM reports WHERE device_id = $1 GROUP BY seq", 1,
                     nullptr, params, nullptr, nullptr, 0),
        &PQclear);
    if (PQresultStatus(rows.get()) != PGRES_TUPLES_OK) {
      return fail(std::string("PostgreSQL: ") + PQresultErrorMessage(rows.get()));
    }
    std::unordered_map<std::uint64_t, long> stored;
    for (int i = 0; i < PQntuples(rows.get()); ++i) {
      stored[std::stoull(PQgetvalue(rows.get(), i, 0))] = std::stol(PQgetvalue(rows.get(), i, 1));
    }
    for (auto seq : seqs) {
      auto it = stored.find(seq);
      if (it == stored.end() || it->second != 1) ++unstored;
    }
  }
  return unstored;
}

}  // namespace

bool is_postgres_database(const std::string& database) {
  return database.rfind("postgres://", 0) == 0 || database.rfind("postgresql://", 0) == 0 ||
         database.find("dbname=") != std::string::npos;
}

Result<std::size_t> count_unstored_acks(const std::string& database,
                                        const std::vector<Identity>& ids,
                                        const std::vector<Stats>& stats) {
  return is_postgres_database(database) ? count_in_postgres(database, ids, stats)
                                        : count_in_sqlite(database, ids, stats);
}

}  // namespace triage::loadgen
