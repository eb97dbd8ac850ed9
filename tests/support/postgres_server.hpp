#pragma once
// A real PostgreSQL 15 for tests: initdb into a temporary directory, the postmaster on
// 127.0.0.1 with a free port (its unix socket in the same directory), stopped by its PID when
// the object goes. PostgreSQL refuses to run as root, so under root (tests and CI) the data
// directory belongs to the `postgres` system user of Debian's package and the server runs as
// that user; under any other user it runs as that user.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "tests/support/temp_dir.hpp"

namespace triage::testing {

class PostgresServer {
 public:
  /// The binaries of Debian's postgresql-15 package.
  static constexpr const char* kBinDir = "/usr/lib/postgresql/15/bin";

  /// Creates a cluster and starts it; throws with the server's log on failure.
  PostgresServer();
  /// Stops the server by its PID (fast shutdown, then SIGKILL) and removes its directory.
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  /// The one server of this test process, started on first use and stopped at exit.
  static PostgresServer& shared();

  /// Creates a fresh, empty database (t_1, t_2, ...) and returns a libpq connection string
  /// for it. Thread-safe.
  std::string create_database();
  /// A libpq connection string for database `name`.
  std::string conninfo(const std::string& name) const;
  int port() const { return port_; }
  pid_t pid() const { return pid_; }

  /// Stops the server (fast shutdown: open sessions end), keeping its data and port.
  void stop();
  /// Starts it again after stop() on the same data and port; waits until it answers.
  void start();

 private:
  TempDir dir_;
  int port_ = 0;
  pid_t pid_ = -1;
  int next_database_ = 0;
};

/// How many rows of `device_id` the `reports` table holds for each seq, read on a connection
/// of its own to `conninfo` (what another node or an operator would see). Throws when the
/// database cannot be read.
std::map<std::uint64_t, int> stored_report_seqs(const std::string& conninfo,
                                                const std::string& device_id);

}  // namespace triage::testing
