// The test PostgreSQL server: a real postmaster, not run as root, a fresh database per call,
// gone once stopped.

#include <catch2/catch.hpp>

#include <libpq-fe.h>
#include <signal.h>

#include <cerrno>
#include <fstream>
#include <string>

#include "tests/support/postgres_server.hpp"

using triage::testing::PostgresServer;

namespace {

// The single value of `sql` run on `conninfo`, or the error.
std::string query_one(const std::string& conninfo, const std::string& sql) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  std::string out;
  if (PQstatus(conn) != CONNECTION_OK) {
    out = std::string("error: ") + PQerrorMessage(conn);
  } else {
    PGresult* r = PQexec(conn, sql.c_str());
    out = PQresultStatus(r) == PGRES_TUPLES_OK ? PQgetvalue(r, 0, 0)
                                               : std::string("error: ") + PQresultErrorMessage(r);
    PQclear(r);
  }
  PQfinish(conn);
  return out;
}

}  // namespace

TEST_CASE("postgres server: runs unprivileged, a fresh database per call, stopped by PID", "[pg]") {
  pid_t pid = -1;
  {
    PostgresServer server;
    pid = server.pid();
    REQUIRE(pid > 0);
    CHECK(server.port() > 0);
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    std::string uid;
    while (std::getline(status, line)) {
      if (line.rfind("Uid:", 0) == 0) uid = line;
    }
    REQUIRE_FALSE(uid.empty());
    CHECK(uid.find("\t0\t") == std::string::npos);

    const auto first = server.create_database();
    const auto second = server.create_database();
    CHECK(first != second);
    CHECK(query_one(first, "SELECT current_database()") == "t_1");
    CHECK(query_one(second, "SELECT current_database()") == "t_2");
    CHECK(query_one(first, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == "0");
    CHECK(query_one(first, "SHOW server_version").rfind("15.", 0) == 0);
  }
  // Stopped and reaped: the PID names no process any more.
  CHECK(::kill(pid, 0) == -1);
  CHECK(errno == ESRCH);
}
