// The POSIX process runner: posix_spawn of an argv into its own process group, pipes polled
// for output, SIGTERM then SIGKILL to the group on a timeout or a cancel, wait4 for the status
// and the CPU time.
#include "shared/util/process_runner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace triage {
namespace {

using Clock = std::chrono::steady_clock;

struct Pipe {
  int read_end = -1;
  int write_end = -1;
};

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

Result<Pipe> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    return fail(std::string("cannot create pipe: ") + std::strerror(errno));
  return Pipe{fds[0], fds[1]};
}

std::chrono::milliseconds to_ms(const timeval& tv) {
  return std::chrono::milliseconds(static_cast<long long>(tv.tv_sec) * 1000 + tv.tv_usec / 1000);
}

/// Captured output of one stream, kept up to the cap.
struct Sink {
  int fd = -1;
  OutputStream stream;
  std::string* text = nullptr;
  bool* truncated = nullptr;
};

void drain(Sink& sink, const RunRequest& request) {
  char buf[8192];
  ssize_t n = ::read(sink.fd, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) {
    close_fd(sink.fd);
    return;
  }
  std::size_t room =
      request.output_cap > sink.text->size() ? request.output_cap - sink.text->size() : 0;
  std::size_t keep = std::min(room, static_cast<std::size_t>(n));
  if (keep > 0) {
    sink.text->append(buf, keep);
    if (request.on_output) request.on_output(sink.stream, std::string_view(buf, keep));
  }
  if (keep < static_cast<std::size_t>(n)) *sink.truncated = true;
}

int ms_until(Clock::time_point t) {
  auto d = std::chrono::duration_cast<std::chrono::milliseconds>(t - Clock::now()).count();
  return d < 0 ? 0 : static_cast<int>(std::min<long long>(d, 60'000));
}

}  // namespace

std::optional<std::filesystem::path> find_program(std::string_view name) {
  auto executable = [](const std::filesystem::path& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
  };
  if (name.empty()) return std::nullopt;
  if (name.front() == '/') {
    std::filesystem::path p(name);
    if (executable(p)) return p;
    return std::nullopt;
  }
  if (name.find('/') != std::string_view::npos) return std::nullopt;
  std::string_view dirs = kFixedSearchPath;
  while (!dirs.empty()) {
    auto colon = dirs.find(':');
    std::filesystem::path candidate = std::filesystem::path(dirs.substr(0, colon)) / name;
    if (executable(candidate)) return candidate;
    if (colon == std::string_view::npos) break;
    dirs.remove_prefix(colon + 1);
  }
  return std::nullopt;
}

Result<RunResult> run_process(const RunRequest& request) {
  if (request.argv.empty()) return fail("run_process: empty argv");
  auto program = find_program(request.argv[0]);
  if (!program) {
    return fail(std::string(kNotInstalledPrefix) + request.argv[0] + " (searched " +
                std::string(kFixedSearchPath) + ")");
  }

  std::vector<std::string> env_strings = {"PATH=" + std::string(kFixedSearchPath), "LANG=C",
                                          "LC_ALL=C"};
  for (const auto& [k, v] : request.env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = request.argv;
  argv_copy[0] = program->string();
  std::vector<char*> argv;
  for (auto& s : argv_copy) argv.push_back(s.data());
  argv.push_back(nullptr);

  auto out = make_pipe();
  if (!out) return tl::unexpected(out.error());
  auto err = make_pipe();
  if (!err) {
    ::close(out->read_end);
    ::close(out->write_end);
    return tl::unexpected(err.error());
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out->write_end, 1);
  posix_spawn_file_actions_adddup2(&actions, err->write_end, 2);
  posix_spawn_file_actions_addchdir_np(&actions, request.working_dir.c_str());
  // Nothing but stdin/stdout/stderr reaches the program, whatever the parent left without
  // close-on-exec (Boost.Asio's sockets and acceptors, the IPC listener, a library's files):
  // glibc runs close_range(3, ~0U, 0) in the child, or closes what /proc/self/fd lists.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t no_signals;
  sigemptyset(&no_signals);
  sigset_t default_signals;
  sigfillset(&default_signals);
  posix_spawnattr_setsigmask(&attr, &no_signals);
  posix_spawnattr_setsigdefault(&attr, &default_signals);
  // A process group of its own, so a timeout ends the program and everything it started.
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  auto started = Clock::now();
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, program->c_str(), &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(out->write_end);
  ::close(err->write_end);
  if (rc != 0) {
    ::close(out->read_end);
    ::close(err->read_end);
    return fail("cannot start " + program->string() + ": " + std::strerror(rc));
  }

  RunResult result;
  Sink sinks[2] = {
      {out->read_end, OutputStream::kStdout, &result.stdout_text, &result.stdout_truncated},
      {err->read_end, OutputStream::kStderr, &result.stderr_text, &result.stderr_truncated}};
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  bool exited = false;
  int status = 0;
  rusage usage{};
  auto deadline = started + request.timeout;
  Clock::time_point kill_at{};
  bool killed = false;

  auto try_reap = [&] {
    pid_t r = ::wait4(pid, &status, WNOHANG, &usage);
    if (r == pid) exited = true;
  };

  while (!exited || sinks[0].fd >= 0 || sinks[1].fd >= 0) {
    if (killed && Clock::now() > kill_at + request.kill_grace) break;  // pipes held elsewhere
    pollfd fds[4];
    int n = 0;
    int sink_at[2] = {-1, -1};
    for (int i = 0; i < 2; ++i) {
      if (sinks[i].fd >= 0) {
        sink_at[i] = n;
        fds[n++] = {sinks[i].fd, POLLIN, 0};
      }
    }
    int pid_at = -1;
    if (!exited && pidfd >= 0) {
      pid_at = n;
      fds[n++] = {pidfd, POLLIN, 0};
    }
    // Listened to while the program runs and no termination started (it stays readable).
    int cancel_at = -1;
    if (!result.timed_out && !exited && request.cancel_fd >= 0) {
      cancel_at = n;
      fds[n++] = {request.cancel_fd, POLLIN, 0};
    }
    int wait_ms =
        ms_until(result.timed_out ? (killed ? kill_at + request.kill_grace : kill_at) : deadline);
    if (!exited && pidfd < 0) wait_ms = std::min(wait_ms, 10);
    int ready = ::poll(fds, static_cast<nfds_t>(n), wait_ms);
    if (ready < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (sink_at[i] >= 0 && (fds[sink_at[i]].revents & (POLLIN | POLLHUP | POLLERR)))
        drain(sinks[i], request);
    }
    if (!exited && (pid_at < 0 || (fds[pid_at].revents & POLLIN))) try_reap();
    auto now = Clock::now();
    if (cancel_at >= 0 && (fds[cancel_at].revents & POLLIN) && !exited) {
      // Ends like a timeout, but is reported as a cancellation.
      result.cancelled = true;
      result.timed_out = true;
      ::kill(-pid, SIGTERM);
      kill_at = now + request.kill_grace;
    } else if (!result.timed_out && now >= deadline) {
      result.timed_out = true;
      ::kill(-pid, SIGTERM);
      kill_at = now + request.kill_grace;
    } else if (result.timed_out && !killed && now >= kill_at) {
      ::kill(-pid, SIGKILL);
      killed = true;
      kill_at = now;
    }
  }
  if (!exited) {
    ::kill(-pid, SIGKILL);
    ::wait4(pid, &status, 0, &usage);
  }
  close_fd(sinks[0].fd);
  close_fd(sinks[1].fd);
  if (pidfd >= 0) ::close(pidfd);

  result.wall_time = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  result.cpu_time = to_ms(usage.ru_utime) + to_ms(usage.ru_stime);
  if (result.cancelled) result.timed_out = false;
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.term_signal = WTERMSIG(status);
  return result;
}

}  // namespace triage
