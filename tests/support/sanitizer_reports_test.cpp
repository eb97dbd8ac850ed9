// The sanitizer runs' check on child processes: a product process that leaves a sanitizer
// report fails the test that started it. A shell stands in for the product binary and writes
// where a sanitizer would (`log_path` from its options, suffixed with its pid).

#include <catch2/catch.hpp>
#include <string>

#include "tests/support/child_process.hpp"
#include "tests/support/scoped_env.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using triage::testing::ChildProcess;
using triage::testing::ScopedEnv;
using triage::testing::TempDir;

// TRIAGE_SANITIZER_LOG_DIR pointed at `dir` for one test case.
ScopedEnv sanitizer_log_dir(const std::string& dir) {
  return {"TRIAGE_SANITIZER_LOG_DIR", dir.c_str()};
}

// Writes a report the way ASan does: to "<log_path>.<pid>", log_path taken from ASAN_OPTIONS.
constexpr const char* kWritesReport = R"(case "$ASAN_OPTIONS" in
  *log_path=*) echo "ERROR: AddressSanitizer: heap-use-after-free" > "${ASAN_OPTIONS##*log_path=}.$$" ;;
esac)";

}  // namespace

TEST_CASE("a child's sanitizer report fails the test that started it", "[!shouldfail]") {
  TempDir logs;
  TempDir work;
  auto env = sanitizer_log_dir(logs.path().string());
  ChildProcess child({"/bin/sh", "-c", kWritesReport}, work.path(), "collector");
  REQUIRE(child.wait_exit(std::chrono::seconds(10)) == 0);
}

TEST_CASE("a child without a sanitizer report leaves the test passing") {
  TempDir logs;
  TempDir work;
  auto env = sanitizer_log_dir(logs.path().string());
  ChildProcess child({"/bin/sh", "-c", "exit 0"}, work.path(), "collector");
  REQUIRE(child.wait_exit(std::chrono::seconds(10)) == 0);
  CHECK(std::filesystem::is_empty(logs.path()));
}

TEST_CASE("run_command fails the test on its command's sanitizer report", "[!shouldfail]") {
  TempDir logs;
  TempDir work;
  auto env = sanitizer_log_dir(logs.path().string());
  auto result = triage::testing::run_command({"/bin/sh", "-c", kWritesReport}, work.path());
  REQUIRE(result.exit_code == 0);
}
