// Placeholder for the Windows process runner (CreateProcessW with an argv quoted by the Windows
// rules, a Job object for the whole tree, only the output pipes inherited), which comes in its
// own change: until then the Windows agent starts no program. run_process() fails with a
// message saying so, so a collector or an action that needs a program reports it rather than
// pretending; the daemon's snapshot process reports a failed snapshot the same way.
#include "shared/util/process_runner.hpp"

namespace triage {

std::optional<std::filesystem::path> find_program(std::string_view name) {
  std::error_code ec;
  std::filesystem::path path(name);
  if (path.is_absolute() && std::filesystem::is_regular_file(path, ec)) return path;
  return std::nullopt;
}

Result<RunResult> run_process(const RunRequest& request) {
  const std::string program = request.argv.empty() ? std::string("(no program)") : request.argv[0];
  return fail("cannot run " + program + ": this Windows build has no process runner yet");
}

}  // namespace triage
