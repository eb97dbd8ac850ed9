#include "agent/actions/kill_process_command.hpp"

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string_view>

#include "shared/util/unique_fd.hpp"

// The numbers are the same on every architecture since Linux 5.1 (asm-generic).
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

namespace triage::agent {

namespace {

// glibc 2.36 has wrappers, older ones do not: the raw system calls work everywhere.
int open_pidfd(long pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0u)); }

int send_signal(int pidfd, int sig) {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0u));
}

// Ending a screen locker unlocks the session it guards (X11 lockers fail open); ending this
// agent stops the order that runs. /proc/PID/comm keeps 15 bytes of the name.
constexpr std::array<std::string_view, 14> kNeverKilled = {
    "triage-agent",    "xscreensaver",    "i3lock",  "swaylock", "slock",
    "xsecurelock",     "light-locker",    "xlock",   "physlock", "vlock",
    "gnome-screensav", "kscreenlocker_g", "xtrlock", "hyprlock"};

}  // namespace

int run_kill_process(const FsRoot& root, long pid, const std::string& expected_name,
                     std::ostream& out, std::ostream& err,
                     const std::function<void()>& before_signal) {
  // The agent daemon is this command's parent.
  if (pid <= 1 || pid == static_cast<long>(::getpid()) || pid == static_cast<long>(::getppid()) ||
      pid > 4194304) {
    err << "kill-process: refusing pid " << pid << "\n";
    return 2;
  }
  for (auto never : kNeverKilled) {
    if (expected_name == never) {
      err << "kill-process: refusing to end `" << expected_name
          << "` (this agent or a screen locker)\n";
      return 2;
    }
  }
  UniqueFd pidfd(open_pidfd(pid));
  if (pidfd.get() < 0) {
    if (errno == ESRCH) {
      err << "kill-process: no process " << pid << "\n";
      return 4;
    }
    err << "kill-process: cannot open a pidfd for " << pid << ": " << std::strerror(errno) << "\n";
    return 2;
  }
  auto comm = root.read("/proc/" + std::to_string(pid) + "/comm", 256);
  if (!comm) {
    err << "kill-process: no process " << pid << "\n";
    return 4;
  }
  // Still alive now means it was alive when comm was read: the pid was not reused between.
  if (send_signal(pidfd.get(), 0) != 0) {
    err << "kill-process: process " << pid << " ended before the signal\n";
    return 4;
  }
  std::string name = *comm;
  while (!name.empty() && (name.back() == '\n' || name.back() == '\r')) name.pop_back();
  if (name != expected_name) {
    err << "kill-process: process " << pid << " is `" << name << "`, not `" << expected_name
        << "`; nothing sent\n";
    return 3;
  }
  if (before_signal) before_signal();
  if (send_signal(pidfd.get(), SIGTERM) != 0) {
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
