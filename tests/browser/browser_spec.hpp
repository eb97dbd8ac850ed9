#pragma once
// What the Catch2 side of a browser test shares: the browser binary, the test users' passwords
// and the command that runs one tests/browser/*.spec.mjs (node + playwright-core + Debian's
// chromium) against a running collector, with the variables tests/browser/harness.mjs reads.

#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/collector_fixture.hpp"

namespace triage::testing {

/// The chromium the specs drive: $CHROMIUM, else Debian's.
inline std::string chromium_path() {
  const char* chosen = std::getenv("CHROMIUM");
  return chosen != nullptr ? chosen : "/usr/bin/chromium";
}

/// The password the browser tests give user `name`.
inline std::string password_of(const std::string& name) { return "correct horse battery " + name; }

/// argv running `spec` (a file in tests/browser/) against `c`, with `vars` ("NAME=value")
/// added to the environment.
inline std::vector<std::string> spec_command(CollectorFixture& c, const std::string& spec,
                                             const std::vector<std::string>& vars) {
  std::vector<std::string> argv = {
      "/usr/bin/env", "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1", "CHROMIUM=" + chromium_path(),
      "TRIAGE_URL=https://127.0.0.1:" + std::to_string(c.port()),
      "TRIAGE_SERVER_CERT=" + (c.data_dir() / "pki/server.pem").string()};
  argv.insert(argv.end(), vars.begin(), vars.end());
  argv.push_back("node");
  argv.push_back((std::filesystem::path(TRIAGE_SOURCE_DIR) / "tests/browser" / spec).string());
  return argv;
}

}  // namespace triage::testing
