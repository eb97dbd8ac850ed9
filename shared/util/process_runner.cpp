// What every platform's process runner shares: how a run is described and how "not installed"
// is recognised. The runner itself is in posix/ (and, per platform, beside it).
#include "shared/util/process_runner.hpp"

namespace triage {

std::string RunResult::describe() const {
  if (cancelled) return "cancelled after " + std::to_string(wall_time.count()) + " ms";
  if (timed_out) return "timed out after " + std::to_string(wall_time.count()) + " ms";
  if (exit_code) return "exit " + std::to_string(*exit_code);
  if (term_signal != 0) return "killed by signal " + std::to_string(term_signal);
  return "unknown ending";
}

bool is_not_installed(const Error& error) { return error.message.starts_with(kNotInstalledPrefix); }

}  // namespace triage
