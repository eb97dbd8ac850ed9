#include "tests/support/postgres_server.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "tests/support/child_process.hpp"
#include "tests/support/free_port.hpp"

namespace triage::testing {

namespace {

using namespace std::chrono_literals;

struct ServerUser {
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

ServerUser server_user() {
  if (geteuid() != 0) return {};
  const struct passwd* pw = getpwnam("postgres");
  if (pw == nullptr) {
    throw std::runtime_error(
        "PostgreSQL refuses to run as root and there is no `postgres` user: install "
        "postgresql-15 (installers/dev/install-deps.sh)");
  }
  return {true, pw->pw_uid, pw->pw_gid};
}

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Starts `argv` as `user` with its output appended to `log`. After fork the child calls only
// async-signal-safe functions: the test process has threads.
pid_t start_as(const ServerUser& user, const std::vector<std::string>& argv,
               const std::filesystem::path& log) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  static const char* const kEnv[] = {"LANG=C", "LC_ALL=C", "TZ=UTC", "PATH=/usr/bin:/bin", nullptr};
  const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (out < 0) throw std::runtime_error("cannot open " + log.string());
  const int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(out, 2);
    if (user.switch_user &&
        (::setgroups(0, nullptr) != 0 || ::setgid(user.gid) != 0 || ::setuid(user.uid) != 0)) {
      ::_exit(126);
    }
    ::execve(args[0], args.data(), const_cast<char* const*>(kEnv));
    ::_exit(127);
  }
  ::close(out);
  ::close(in);
  return pid;
}

// Waits for `pid` to exit, up to `timeout`; its exit code, or nullopt while it still runs.
std::optional<int> wait_for(pid_t pid, std::chrono::milliseconds timeout) {
  int status = 0;
  std::optional<int> code;
  eventually(
      [&] {
        if (::waitpid(pid, &status, WNOHANG) != pid) return false;
        code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        return true;
      },
      timeout);
  return code;
}

}  // namespace

PostgresServer::PostgresServer() {
  const auto user = server_user();
  const auto data = dir_.path() / "data";
  const auto log = dir_.path() / "postgres.log";
  if (user.switch_user && ::chown(dir_.path().c_str(), user.uid, user.gid) != 0) {
    throw std::runtime_error("cannot give " + dir_.path().string() + " to the postgres user");
  }
  const std::string bin = kBinDir;
  const pid_t initdb =
      start_as(user,
               {bin + "/initdb", "-D", data.string(), "-U", "triage", "-A", "trust", "-E", "UTF8",
                "--locale=C", "--no-sync", "--no-instructions"},
               log);
  if (wait_for(initdb, 120s).value_or(-1) != 0) {
    throw std::runtime_error("initdb failed:\n" + slurp(log));
  }
  port_ = free_loopback_port();
  start();
}

void PostgresServer::start() {
  if (pid_ > 0) return;
  const auto user = server_user();
  const auto data = dir_.path() / "data";
  const auto log = dir_.path() / "postgres.log";
  const std::string bin = kBinDir;
  // Durability settings off: a test database never outlives its process.
  pid_ = start_as(
      user,
      {bin + "/postgres", "-D", data.string(), "-p", std::to_string(port_), "-h", "127.0.0.1", "-k",
       dir_.path().string(), "-c", "fsync=off", "-c", "synchronous_commit=off", "-c",
       "full_page_writes=off", "-c", "max_connections=200"},
      log);
  const std::string info = conninfo("postgres");
  bool exited = false;
  const bool ready = eventually(
      [&] {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
          exited = true;
          return true;
        }
        return PQping(info.c_str()) == PQPING_OK;
      },
      60s);
  if (exited) pid_ = -1;
  if (!ready || exited) {
    stop();
    throw std::runtime_error("PostgreSQL did not start:\n" + slurp(log));
  }
}

PostgresServer::~PostgresServer() { stop(); }

void PostgresServer::stop() {
  if (pid_ <= 0) return;
  // SIGINT is PostgreSQL's fast shutdown: it ends open sessions instead of waiting for them.
  ::kill(pid_, SIGINT);
  if (!wait_for(pid_, 30s)) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  pid_ = -1;
}

PostgresServer& PostgresServer::shared() {
  static PostgresServer server;
  return server;
}

std::string PostgresServer::conninfo(const std::string& name) const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=triage dbname=" + name +
         " connect_timeout=10";
}

std::string PostgresServer::create_database() {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  const std::string name = "t_" + std::to_string(++next_database_);
  PGconn* conn = PQconnectdb(conninfo("postgres").c_str());
  std::string error;
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
  } else {
    // The name is ours (t_ and a counter): identifiers cannot be bound as parameters.
    PGresult* r = PQexec(conn, ("CREATE DATABASE " + name).c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK) error = PQresultErrorMessage(r);
    PQclear(r);
  }
  PQfinish(conn);
  if (!error.empty()) throw std::runtime_error("CREATE DATABASE " + name + ": " + error);
  return conninfo(name);
}

std::map<std::uint64_t, int> stored_report_seqs(const std::string& conninfo,
                                                const std::string& device_id) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  std::string error;
  std::map<std::uint64_t, int> out;
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
  } else {
    const char* values[] = {device_id.c_str()};
    PGresult* r = PQexecParams(
        conn, "SELECT seq, COUNT(*) FROM reports WHERE device_id = $1 GROUP BY seq ORDER BY seq", 1,
        nullptr, values, nullptr, nullptr, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
      error = PQresultErrorMessage(r);
    } else {
      for (int i = 0; i < PQntuples(r); ++i) {
        out[std::stoull(PQgetvalue(r, i, 0))] = std::stoi(PQgetvalue(r, i, 1));
      }
    }
    PQclear(r);
  }
  PQfinish(conn);
  if (!error.empty()) throw std::runtime_error("reading the stored reports: " + error);
  return out;
}

}  // namespace triage::testing
