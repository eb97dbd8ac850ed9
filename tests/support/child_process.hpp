#pragma once
// A product binary started by a test: argv without a shell, stdout/stderr to files, stopped
// by PID (SIGTERM, then SIGKILL) when the test ends. Under a sanitizer build, a report the
// child wrote fails the test once the child has ended (sanitizer_reports.hpp).

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/deadline_scale.hpp"

namespace triage::testing {

class ChildProcess {
 public:
  /// Starts `argv` (argv[0] is a path). Output goes to `log_dir/name.{out,err}`.
  ChildProcess(std::vector<std::string> argv, const std::filesystem::path& log_dir,
               const std::string& name);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  std::string stdout_text() const;
  std::string stderr_text() const;

  /// Sends SIGTERM and waits up to `grace` (times deadline_scale()), then SIGKILL. Returns the exit
  /// status if it exited by itself (-1 when killed).
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
  /// SIGKILL, no grace.
  void kill_hard();
  /// Exit code once it has exited, polling up to `timeout`.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  bool running();

 private:
  std::string name_;
  pid_t pid_ = -1;
  std::optional<int> exit_status_;
  std::filesystem::path out_, err_;
};

/// Runs a command to completion (bounded by `timeout` times deadline_scale()) and returns {exit
/// code, stdout, stderr}.
struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
CommandResult run_command(std::vector<std::string> argv, const std::filesystem::path& log_dir,
                          const std::string& stdin_text = "",
                          std::chrono::milliseconds timeout = std::chrono::seconds(60));

/// Polls `condition` every 50 ms until it holds or `timeout` (times deadline_scale()) passes.
template <class Fn>
bool eventually(Fn&& condition, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  auto deadline = std::chrono::steady_clock::now() + scaled(timeout);
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    struct timespec ts {
      0, 50'000'000
    };
    nanosleep(&ts, nullptr);
  }
}

/// Path of a product binary in the build tree.
std::string binary(const std::string& name);

}  // namespace triage::testing
