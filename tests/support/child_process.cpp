#include "tests/support/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tests/support/sanitizer_reports.hpp"

namespace triage::testing {

namespace {

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

pid_t spawn(const std::vector<std::string>& argv, const std::string& name,
            const std::filesystem::path& in, const std::filesystem::path& out,
            const std::filesystem::path& err) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, in.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  auto env_entries = child_environment(name);
  std::vector<char*> env;
  for (auto& e : env_entries) env.push_back(e.data());
  env.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
  return pid;
}

}  // namespace

std::string binary(const std::string& name) { return std::string(TRIAGE_BIN_DIR) + "/" + name; }

ChildProcess::ChildProcess(std::vector<std::string> argv, const std::filesystem::path& log_dir,
                           const std::string& name)
    : name_(name), out_(log_dir / (name + ".out")), err_(log_dir / (name + ".err")) {
  pid_ = spawn(argv, name_, "/dev/null", out_, err_);
}

ChildProcess::~ChildProcess() { stop(); }

bool ChildProcess::running() {
  if (exit_status_ || pid_ <= 0) return false;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    check_sanitizer_report(name_, pid_);
    return false;
  }
  return true;
}

std::optional<int> ChildProcess::wait_exit(std::chrono::milliseconds timeout) {
  eventually([&] { return !running(); }, timeout);
  return exit_status_;
}

int ChildProcess::stop(std::chrono::milliseconds grace) {
  if (!running()) return exit_status_.value_or(-1);
  ::kill(pid_, SIGTERM);
  if (wait_exit(grace)) return *exit_status_;
  kill_hard();
  return -1;
}

void ChildProcess::kill_hard() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  exit_status_ = -1;
  check_sanitizer_report(name_, pid_);
}

std::string ChildProcess::stdout_text() const { return slurp(out_); }
std::string ChildProcess::stderr_text() const { return slurp(err_); }

CommandResult run_command(std::vector<std::string> argv, const std::filesystem::path& log_dir,
                          const std::string& stdin_text, std::chrono::milliseconds timeout) {
  static int counter = 0;
  std::string name = "cmd" + std::to_string(++counter);
  auto base = log_dir / name;
  auto in = base;
  in += ".in";
  {
    std::ofstream f(in, std::ios::binary);
    f << stdin_text;
  }
  auto out = base;
  out += ".out";
  auto err = base;
  err += ".err";
  pid_t pid = spawn(argv, name, in, out, err);
  CommandResult result;
  int status = 0;
  bool done = eventually([&] { return waitpid(pid, &status, WNOHANG) == pid; }, timeout);
  if (!done) {
    ::kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  } else {
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  check_sanitizer_report(name, pid);
  result.out = slurp(out);
  result.err = slurp(err);
  return result;
}

}  // namespace triage::testing
