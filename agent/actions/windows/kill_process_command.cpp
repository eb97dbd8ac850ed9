// `triage-agent kill-process` on Windows: the kill-process action is a Linux action (its
// definition says platform "linux", which a Windows agent refuses before running anything);
// the Windows actions come with the Windows diagnostics. Run by hand, it says so.
#include "agent/actions/kill_process_command.hpp"

namespace triage::agent {

int run_kill_process(const FsRoot&, long, const std::string&, std::ostream&, std::ostream& err,
                     const std::function<void()>&) {
  err << "kill-process: not available on Windows (a Linux action)\n";
  return 2;
}

}  // namespace triage::agent
