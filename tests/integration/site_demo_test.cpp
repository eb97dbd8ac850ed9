// `make cluster-demo` (installers/cluster/cluster-demo.sh) from scratch in a temporary
// directory, on free ports: PostgreSQL, two nodes and HAProxy, with a real agent online
// through HAProxy; then `make cluster-demo-stop` ends every process by the PIDs it wrote.
// Label `postgres`.

#include <catch2/catch.hpp>

#include <signal.h>

#include <fstream>
#include <map>

#include "shared/util/files.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

/// The program PID runs, by its base name; "" once it has ended (a zombie included).
std::string program_of(int pid) {
  std::error_code ec;
  const auto exe = fs::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec);
  return ec ? "" : exe.filename().string();
}

/// name -> {program, pid} as the script's pids file lists them.
std::map<std::string, std::pair<std::string, int>> read_pids(const fs::path& file) {
  std::map<std::string, std::pair<std::string, int>> pids;
  std::ifstream in(file);
  std::string name, program;
  int pid = 0;
  while (in >> name >> program >> pid) pids[name] = {program, pid};
  return pids;
}

/// Whatever the script left running when the test ends early, stopped by its PID.
struct LeftoverGuard {
  fs::path pids;
  ~LeftoverGuard() {
    for (const auto& [name, entry] : read_pids(pids)) {
      if (program_of(entry.second) == entry.first) ::kill(entry.second, SIGKILL);
    }
  }
};

}  // namespace

TEST_CASE(
    "make cluster-demo starts PostgreSQL, two nodes and HAProxy with an agent online through "
    "it, and make cluster-demo-stop ends them by their PIDs",
    "[integration][pg][haproxy]") {
  TempDir temp;
  // The demo's PostgreSQL runs as the postgres user, who must reach its directory.
  fs::permissions(temp.path(),
                  fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  const auto demo = temp.path() / "demo";
  LeftoverGuard guard{demo / "pids"};
  const auto a_port = std::to_string(free_loopback_port());
  const std::vector<std::string> env = {
      "/usr/bin/env",
      "CLUSTER_DEMO_DIR=" + demo.string(),
      "CLUSTER_DEMO_PG_PORT=" + std::to_string(free_loopback_port()),
      "CLUSTER_DEMO_NODE_A_PORT=" + a_port,
      "CLUSTER_DEMO_NODE_B_PORT=" + std::to_string(free_loopback_port()),
      "CLUSTER_DEMO_LB_PORT=" + std::to_string(free_loopback_port()),
      std::string(TRIAGE_SOURCE_DIR) + "/installers/cluster/cluster-demo.sh"};
  const auto build_dir = fs::path(TRIAGE_BIN_DIR).parent_path().string();
  auto script = [&](const std::string& command) {
    auto argv = env;
    argv.insert(argv.end(), {command, build_dir});
    return run_command(argv, temp.path(), "", 300s);
  };

  auto started = script("start");
  INFO(started.out << started.err);
  REQUIRE(started.exit_code == 0);
  CHECK_THAT(started.out,
             Catch::Contains("online on node-") && Catch::Contains(" through HAProxy"));
  CHECK_THAT(started.out, Catch::Contains("Web console: https://127.0.0.1:" + a_port + "/"));
  CHECK_THAT(started.out, Catch::Contains("make cluster-demo-stop"));
  CHECK_FALSE(triage::read_file(demo / "admin-password").value_or("").empty());

  const auto pids = read_pids(demo / "pids");
  const std::map<std::string, std::string> expected = {{"postgres", "postgres"},
                                                       {"node-a", "triage-collector"},
                                                       {"node-b", "triage-collector"},
                                                       {"haproxy", "haproxy"},
                                                       {"agent", "triage-agent"}};
  REQUIRE(pids.size() == expected.size());
  for (const auto& [name, program] : expected) {
    INFO(name);
    REQUIRE(pids.count(name) == 1);
    CHECK(program_of(pids.at(name).second) == program);
  }

  auto stopped = script("stop");
  INFO(stopped.out << stopped.err);
  CHECK(stopped.exit_code == 0);
  for (const auto& [name, entry] : pids) {
    INFO(name);
    CHECK(eventually([&] { return program_of(entry.second).empty(); }, 10s));
  }
  CHECK_FALSE(fs::exists(demo / "pids"));
}
