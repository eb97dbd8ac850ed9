// The sanitizer runs' check on child processes: a product process that leaves a sanitizer
// report fails the test that started it. A shell stands in for the product binary and writes
// where a sanitizer would (`log_path` from its options, suffixed with its pid).

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <optional>
#include <string>

#include "tests/support/child_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using triage::testing::ChildProcess;
using triage::testing::TempDir;

// Points TRIAGE_SANITIZER_LOG_DIR at `dir` for one test case, then puts back what was there.
class SanitizerLogDir {
 public:
  explicit SanitizerLogDir(const std::string& dir) {
    if (const char* old = ::getenv("TRIAGE_SANITIZER_LOG_DIR")) old_ = old;
    ::setenv("TRIAGE_SANITIZER_LOG_DIR", dir.c_str(), 1);
  }
  ~SanitizerLogDir() {
    if (old_) {
      ::setenv("TRIAGE_SANITIZER_LOG_DIR", old_->c_str(), 1);
    } else {
      ::unsetenv("TRIAGE_SANITIZER_LOG_DIR");
    }
  }

 private:
  std::optional<std::string> old_;
};

// Writes a report the way ASan does: to "<log_path>.<pid>", log_path taken from ASAN_OPTIONS.
constexpr const char* kWritesReport = R"(case "$ASAN_OPTIONS" in
  *log_path=*) echo "ERROR: AddressSanitizer: heap-use-after-free" > "${ASAN_OPTIONS##*log_path=}.$$" ;;
esac)";

}  // namespace

TEST_CASE("a child's sanitizer report fails the test that started it", "[!shouldfail]") {
  TempDir logs;
  TempDir work;
  SanitizerLogDir env(logs.path().string());
  ChildProcess child({"/bin/sh", "-c", kWritesReport}, work.path(), "collector");
  REQUIRE(child.wait_exit(std::chrono::seconds(10)) == 0);
}

TEST_CASE("a child without a sanitizer report leaves the test passing") {
  TempDir logs;
  TempDir work;
  SanitizerLogDir env(logs.path().string());
  ChildProcess child({"/bin/sh", "-c", "exit 0"}, work.path(), "collector");
  REQUIRE(child.wait_exit(std::chrono::seconds(10)) == 0);
  CHECK(std::filesystem::is_empty(logs.path()));
}

TEST_CASE("run_command fails the test on its command's sanitizer report", "[!shouldfail]") {
  TempDir logs;
  TempDir work;
  SanitizerLogDir env(logs.path().string());
  auto result = triage::testing::run_command({"/bin/sh", "-c", kWritesReport}, work.path());
  REQUIRE(result.exit_code == 0);
}
