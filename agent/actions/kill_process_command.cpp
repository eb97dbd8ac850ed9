#include "agent/actions/kill_process_command.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace triage::agent {

int run_kill_process(const FsRoot& root, long pid, const std::string& expected_name,
                     std::ostream& out, std::ostream& err) {
  if (pid <= 1 || pid == static_cast<long>(::getpid()) || pid > 4194304) {
    err << "kill-process: refusing pid " << pid << "\n";
    return 2;
  }
  auto comm = root.read("/proc/" + std::to_string(pid) + "/comm", 256);
  if (!comm) {
    err << "kill-process: no process " << pid << "\n";
    return 4;
  }
  std::string name = *comm;
  while (!name.empty() && (name.back() == '\n' || name.back() == '\r')) name.pop_back();
  if (name != expected_name) {
    err << "kill-process: process " << pid << " is `" << name << "`, not `" << expected_name
        << "`; nothing sent\n";
    return 3;
  }
  if (::kill(static_cast<pid_t>(pid), SIGTERM) != 0) {
    if (errno == ESRCH) {
      err << "kill-process: process " << pid << " ended before the signal\n";
      return 4;
    }
    err << "kill-process: " << std::strerror(errno) << "\n";
    return 2;
  }
  out << "sent SIGTERM to " << pid << " (" << name << ")\n";
  return 0;
}

}  // namespace triage::agent
