#pragma once
// The one way triage runs another program: an argv (never a shell), resolved against a fixed
// search path, with a scrubbed environment, no input, captured and capped output, a timeout
// that ends the program with everything it started, and the exit status reported. The child
// inherits nothing beyond its standard streams.
// Used by diagnostics collectors (smartctl, lpstat, journalctl) and by approved actions.
// This header is the interface; each platform has one implementation (posix/process_runner.cpp:
// posix_spawn into a process group, SIGTERM then SIGKILL to the group, stdin from /dev/null;
// windows/process_runner.cpp: CreateProcessW into a Job object ended as a whole, stdin from NUL,
// and only .exe/.com programs that are not interpreters, judged on the resolved file).

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shared/util/result.hpp"

namespace triage {

/// Directories searched for a bare program name, in order. The caller's PATH is never used.
inline constexpr std::string_view kFixedSearchPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// The start of the error message of run_process() for a program that is not installed.
inline constexpr std::string_view kNotInstalledPrefix = "not installed: ";

/// Which pipe a chunk of output came from.
enum class OutputStream { kStdout, kStderr };

/// Called with each chunk of output as it arrives, while it is within the cap.
using OutputCallback = std::function<void(OutputStream, std::string_view)>;

/// What to run and under which limits.
struct RunRequest {
  /// argv[0] is a bare name (looked up in kFixedSearchPath) or an absolute path.
  std::vector<std::string> argv;
  std::chrono::milliseconds timeout{10000};
  /// After the timeout, SIGTERM goes to the process group; SIGKILL follows after this grace.
  /// (Windows has no polite stop: the job is ended at once, and this bounds the wait for
  /// output pipes still held after that.)
  std::chrono::milliseconds kill_grace{1000};
  /// Bytes kept per stream; the rest is read and discarded, and flagged as truncated.
  std::size_t output_cap = 1024 * 1024;
  /// Environment beyond the fixed PATH, LANG=C and LC_ALL=C. Nothing is inherited.
  std::vector<std::pair<std::string, std::string>> env;
  /// Working directory of the child.
  std::filesystem::path working_dir = "/";
  /// Optional streaming of output chunks (in addition to capture).
  OutputCallback on_output;
  /// Optional: when this descriptor becomes readable (an eventfd or pipe the caller writes
  /// to), the program is ended as on a timeout (SIGTERM to the group, SIGKILL after the grace)
  /// and the result says `cancelled`. Not read here: the caller resets it.
  /// Windows: an event's HANDLE as HandleToLong() gives it (kernel handles fit in 32 bits);
  /// signalled = cancel.
  int cancel_fd = -1;
};

/// How a program ended.
struct RunResult {
  /// Exit status when the program exited normally, else nullopt.
  std::optional<int> exit_code;
  /// Signal number when the program was killed by a signal, else 0.
  int term_signal = 0;
  bool timed_out = false;
  /// Ended because `cancel_fd` became readable.
  bool cancelled = false;
  std::string stdout_text;
  std::string stderr_text;
  bool stdout_truncated = false;
  bool stderr_truncated = false;
  std::chrono::milliseconds wall_time{0};
  /// User + system CPU time consumed by the child (from wait4).
  std::chrono::milliseconds cpu_time{0};

  /// True when the program exited with status 0 in time.
  bool succeeded() const { return !timed_out && !cancelled && exit_code && *exit_code == 0; }
  /// One line describing the ending: "exit 2", "killed by signal 9", "timed out after 5000 ms",
  /// "cancelled after 800 ms".
  std::string describe() const;
};

/// Resolves a bare program name against kFixedSearchPath (or checks an absolute path);
/// nullopt when no executable file is found: "not installed".
std::optional<std::filesystem::path> find_program(std::string_view name);

/// Runs `request.argv`. Fails only when the program could not be started; the message for an
/// absent program starts with "not installed:". A non-zero exit, a signal or a timeout are
/// successful runs whose RunResult says so.
Result<RunResult> run_process(const RunRequest& request);

/// True when `error` came from run_process() for a program that is not installed.
bool is_not_installed(const Error& error);

}  // namespace triage
