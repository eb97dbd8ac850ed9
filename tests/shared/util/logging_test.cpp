// Logging setup: a file that rotates by size, subsystem loggers writing to the same output, and
// their levels changed while the process runs.

#include <stdlib.h>

#include <filesystem>
#include <string>

#include <spdlog/spdlog.h>
#include <catch2/catch.hpp>

#include "shared/util/files.hpp"
#include "shared/util/log_levels.hpp"
#include "shared/util/logging.hpp"

using namespace triage;

namespace {

// triage_util_tests link nothing of the collector, so not the test support library's TempDir.
struct ScratchDir {
  ScratchDir() {
    char name[] = "/tmp/triage-logging-XXXXXX";
    REQUIRE(mkdtemp(name) != nullptr);
    dir = name;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  const std::filesystem::path& path() const { return dir; }
  std::filesystem::path dir;
};

/// Logging back to stderr at info when a test ends, whatever it set up.
struct RestoreLogging {
  ~RestoreLogging() { (void)setup_logging("triage-tests", LogFormat::kHuman, "info"); }
};

std::string read_log(const std::filesystem::path& path) {
  spdlog::default_logger()->flush();
  for (auto name : kSubsystemNames) subsystem_log(*parse_subsystem(name)).flush();
  return read_file(path).value_or("");
}

}  // namespace

TEST_CASE("Log rotation: a log file past max_bytes rotates and keeps max_files old ones") {
  RestoreLogging restore;
  ScratchDir dir;
  const auto path = dir.path() / "collector.log";
  REQUIRE(setup_logging("triage-tests", LogFormat::kHuman, "info", {path.string(), 16 * 1024, 2}));
  const std::string filler(200, 'x');
  for (int i = 0; i < 400; ++i) {
    if (i % 2 == 0) {
      spdlog::info("line {} {}", i, filler);
    } else {
      logs::ingest().info("line {} {}", i, filler);
    }
  }
  const auto current = read_log(path);
  CHECK(std::filesystem::exists(dir.path() / "collector.1.log"));
  CHECK(std::filesystem::exists(dir.path() / "collector.2.log"));
  CHECK_FALSE(std::filesystem::exists(dir.path() / "collector.3.log"));
  CHECK(std::filesystem::file_size(dir.path() / "collector.1.log") <= 16 * 1024);
  // The newest lines, of both loggers, are in the current file.
  CHECK(current.find("triage-tests: line 398 ") != std::string::npos);
  CHECK(current.find("ingest: line 399 ") != std::string::npos);
}

TEST_CASE("Log rotation: a log file that cannot be opened is an error naming it") {
  RestoreLogging restore;
  ScratchDir dir;
  REQUIRE(write_file_atomic(dir.path() / "plain", "a file, not a directory", 0644));
  const auto path = (dir.path() / "plain" / "collector.log").string();
  auto r = setup_logging("triage-tests", LogFormat::kHuman, "info", {path, 16 * 1024, 2});
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message, Catch::Contains(path));
}

TEST_CASE("Log levels: a subsystem's level changes apart from the others while others log") {
  RestoreLogging restore;
  ScratchDir dir;
  const auto path = dir.path() / "levels.log";
  REQUIRE(setup_logging("triage-tests", LogFormat::kJson, "info", {path.string(), 1024 * 1024, 1}));
  logs::api().debug("api hidden");
  REQUIRE(apply_log_levels({"info", {{"api", "debug"}}}));
  logs::api().debug("api shown");
  logs::storage().debug("storage hidden");
  spdlog::debug("program hidden");
  CHECK(effective_log_levels().at("api") == "debug");
  CHECK(effective_log_levels().at("storage") == "info");
  CHECK(current_log_levels().subsystems == std::map<std::string, std::string>{{"api", "debug"}});

  REQUIRE(apply_log_levels({"warn", {}}));
  CHECK(effective_log_levels().at("api") == "warn");
  logs::api().info("api info hidden");
  const auto text = read_log(path);
  CHECK(text.find("\"logger\":\"api\",\"msg\":\"api shown\"") != std::string::npos);
  CHECK(text.find("\"program\":\"triage-tests\"") != std::string::npos);
  for (auto hidden : {"api hidden", "storage hidden", "program hidden", "api info hidden"}) {
    INFO(hidden);
    CHECK(text.find(hidden) == std::string::npos);
  }

  auto unknown = apply_log_levels({"info", {{"ingset", "debug"}}});
  REQUIRE_FALSE(unknown);
  CHECK_THAT(unknown.error().message, Catch::Contains("ingset"));
  CHECK_FALSE(apply_log_levels({"loud", {}}));
  CHECK(effective_log_levels().at("api") == "warn");
}
