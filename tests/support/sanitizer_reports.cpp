#include "tests/support/sanitizer_reports.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <catch2/catch.hpp>

extern char** environ;

namespace triage::testing {

namespace {

constexpr const char* kSanitizerOptions[] = {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS",
                                             "TSAN_OPTIONS"};

const char* log_dir() {
  const char* dir = std::getenv("TRIAGE_SANITIZER_LOG_DIR");
  return dir && *dir ? dir : nullptr;
}

std::filesystem::path log_prefix(const std::string& name) {
  return std::filesystem::path(log_dir()) / name;
}

}  // namespace

std::vector<std::string> child_environment(const std::string& name) {
  std::vector<std::string> env;
  const char* dir = log_dir();
  bool seen[std::size(kSanitizerOptions)] = {};
  for (char** e = environ; *e; ++e) {
    std::string entry = *e;
    for (std::size_t i = 0; dir && i < std::size(kSanitizerOptions); ++i) {
      std::string key = std::string(kSanitizerOptions[i]) + "=";
      if (entry.rfind(key, 0) == 0) {
        entry += ":log_path=" + log_prefix(name).string();
        seen[i] = true;
      }
    }
    env.push_back(std::move(entry));
  }
  for (std::size_t i = 0; dir && i < std::size(kSanitizerOptions); ++i) {
    if (!seen[i]) {
      env.push_back(std::string(kSanitizerOptions[i]) + "=log_path=" + log_prefix(name).string());
    }
  }
  return env;
}

bool check_sanitizer_report(const std::string& name, pid_t pid) {
  if (!log_dir()) return false;
  auto path = log_prefix(name);
  path += "." + std::to_string(pid);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return false;
  std::ifstream in(path, std::ios::binary);
  std::stringstream report;
  report << in.rdbuf();
  std::string message = "sanitizer report of child '" + name + "' (pid " + std::to_string(pid) +
                        ", " + path.string() + "):\n" + report.str();
  // A child may end in a destructor after the test case, where no test can fail.
  if (Catch::getCurrentContext().getResultCapture()) {
    FAIL_CHECK(message);
  } else {
    std::cerr << message << '\n';
  }
  return true;
}

}  // namespace triage::testing
