// `triage-agent kill-process` against real child processes: the signal goes through a pidfd
// opened before the name is checked (so a pid reused after the check is never hit), and the
// agent itself and screen lockers are never ended.

#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "agent/actions/kill_process_command.hpp"

using namespace triage;
using namespace triage::agent;

namespace {

std::string comm_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/comm");
  std::string name;
  std::getline(in, name);
  return name;
}

/// A child that only waits, named `name` in /proc/PID/comm; killed and reaped at the end.
struct NamedChild {
  pid_t pid = -1;
  explicit NamedChild(const char* name) {
    pid = ::fork();
    if (pid == 0) {
      // The test runner's handlers would report the child's SIGTERM as a test failure.
      ::signal(SIGTERM, SIG_DFL);
      ::prctl(PR_SET_NAME, name);
      for (;;) ::pause();
    }
    REQUIRE(pid > 0);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (comm_of(pid) != name && std::chrono::steady_clock::now() < deadline) ::sched_yield();
    REQUIRE(comm_of(pid) == name);
  }
  ~NamedChild() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
  /// The signal that ended it, or 0 while it runs.
  int wait_signal() {
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    pid = -1;
    return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  }
  bool alive() const {
    int status = 0;
    return ::waitpid(pid, &status, WNOHANG) == 0;
  }
};

/// True when this process holds a pidfd for `pid` (/proc/self/fdinfo names its Pid).
bool holds_pidfd_for(pid_t pid) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    auto target = std::filesystem::read_symlink(entry.path(), ec);
    // "anon_inode:[pidfd]" before Linux 6.9, "pidfd:[INODE]" since.
    if (ec ||
        (target.string() != "anon_inode:[pidfd]" && target.string().rfind("pidfd:", 0) != 0)) {
      continue;
    }
    std::ifstream info("/proc/self/fdinfo/" + entry.path().filename().string());
    std::stringstream text;
    text << info.rdbuf();
    if (text.str().find("Pid:\t" + std::to_string(pid) + "\n") != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("kill-process signals the process it checked, through a pidfd held across the check") {
  NamedChild child("triage-victim");
  std::ostringstream out, err;
  bool held = false;
  const int code = run_kill_process(FsRoot("/"), child.pid, "triage-victim", out, err,
                                    [&] { held = holds_pidfd_for(child.pid); });
  INFO(err.str());
  CHECK(code == 0);
  CHECK(held);
  CHECK(child.wait_signal() == SIGTERM);
}

TEST_CASE("kill-process sends nothing when the name differs") {
  NamedChild child("triage-other");
  std::ostringstream out, err;
  CHECK(run_kill_process(FsRoot("/"), child.pid, "firefox", out, err) == 3);
  CHECK(child.alive());
}

TEST_CASE("kill-process never ends this agent or a screen locker") {
  std::ostringstream out, err;
  // The agent daemon is the parent of the kill-process command.
  CHECK(run_kill_process(FsRoot("/"), ::getppid(), "no-such-name", out, err) == 2);
  // Ending an X11 screen locker unlocks the session it guards.
  NamedChild locker("i3lock");
  CHECK(run_kill_process(FsRoot("/"), locker.pid, "i3lock", out, err) == 2);
  CHECK(locker.alive());
}
