// The Windows platform layer's own tests (tests/windows: process runner, named pipe IPC, system
// paths and the state folder, the Service Control Manager, user notices), cross-built as
// triage_windows_tests.exe and run here under Wine, in the run's one Wine prefix.

#include <catch2/catch.hpp>

#include "tests/support/child_process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/wine/wine_session.hpp"

using namespace triage::testing;

TEST_CASE("Windows platform layer: every case of tests/windows passes under Wine",
          "[windows][integration]") {
  auto& wine = WineSession::shared();
  TempDir logs;
  // Catch2's compact reporter: one line a failed assertion, and the totals.
  auto run =
      run_command(wine.windows_program("triage_windows_tests.exe", {"--reporter", "compact"}),
                  logs.path(), "", std::chrono::seconds(600));
  INFO("triage_windows_tests.exe stdout:\n" << run.out << "\nstderr:\n" << run.err);
  CHECK(run.exit_code == 0);
  // A build that lost its cases would pass with none run.
  CHECK_THAT(run.out, Catch::Contains("All tests passed") || Catch::Contains("Passed all"));
}
