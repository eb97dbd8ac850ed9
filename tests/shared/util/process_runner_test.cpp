#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "shared/util/process_runner.hpp"

using namespace std::chrono_literals;
using triage::run_process;
using triage::RunRequest;

namespace {

RunRequest request(std::vector<std::string> argv) {
  RunRequest r;
  r.argv = std::move(argv);
  return r;
}

}  // namespace

TEST_CASE("run_process captures output and the exit code", "[process_runner]") {
  auto r = run_process(request({"sh", "-c", "echo out; echo err >&2; exit 3"}));
  REQUIRE(r.has_value());
  CHECK(r->stdout_text == "out\n");
  CHECK(r->stderr_text == "err\n");
  REQUIRE(r->exit_code.has_value());
  CHECK(*r->exit_code == 3);
  CHECK_FALSE(r->succeeded());
  CHECK_FALSE(r->timed_out);
  CHECK(r->describe() == "exit 3");
}

TEST_CASE("run_process passes arguments literally, never through a shell", "[process_runner]") {
  auto r = run_process(request({"echo", "a; rm -rf /tmp/x", "$HOME", "`id`", "|", "*"}));
  REQUIRE(r.has_value());
  CHECK(r->stdout_text == "a; rm -rf /tmp/x $HOME `id` | *\n");
  CHECK(r->succeeded());
}

TEST_CASE("run_process kills the process group at the timeout", "[process_runner]") {
  auto before = std::chrono::steady_clock::now();
  // The shell ignores SIGTERM and has a child: both must die (SIGKILL to the group).
  auto req = request({"sh", "-c", "trap '' TERM; sleep 30 & sleep 30; wait"});
  req.timeout = 200ms;
  req.kill_grace = 200ms;
  auto r = run_process(req);
  REQUIRE(r.has_value());
  CHECK(r->timed_out);
  CHECK_FALSE(r->exit_code.has_value());
  CHECK(r->term_signal == SIGKILL);
  CHECK_FALSE(r->succeeded());
  CHECK(std::chrono::steady_clock::now() - before < 10s);
}

TEST_CASE("run_process caps output and flags the truncation", "[process_runner]") {
  auto req = request({"head", "-c", "100000", "/dev/zero"});
  req.output_cap = 1000;
  auto r = run_process(req);
  REQUIRE(r.has_value());
  CHECK(r->stdout_text.size() == 1000);
  CHECK(r->stdout_truncated);
  CHECK_FALSE(r->stderr_truncated);
  CHECK(r->succeeded());
}

TEST_CASE("run_process streams chunks to the callback", "[process_runner]") {
  std::string streamed;
  auto req = request({"printf", "a\nb\n"});
  req.on_output = [&](triage::OutputStream s, std::string_view chunk) {
    if (s == triage::OutputStream::kStdout) streamed += chunk;
  };
  auto r = run_process(req);
  REQUIRE(r.has_value());
  CHECK(streamed == "a\nb\n");
}

TEST_CASE("run_process scrubs the environment", "[process_runner]") {
  ::setenv("TRIAGE_SECRET_TEST", "hunter2", 1);
  ::setenv("PATH", "/tmp/evil:/usr/bin:/bin", 1);
  auto req = request({"env"});
  req.env = {{"TZ", "UTC"}};
  auto r = run_process(req);
  REQUIRE(r.has_value());
  CHECK(r->stdout_text.find("hunter2") == std::string::npos);
  CHECK(
      r->stdout_text.find("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n") !=
      std::string::npos);
  CHECK(r->stdout_text.find("LANG=C\n") != std::string::npos);
  CHECK(r->stdout_text.find("TZ=UTC\n") != std::string::npos);
  CHECK(r->stdout_text.find("/tmp/evil") == std::string::npos);
  ::unsetenv("TRIAGE_SECRET_TEST");
}

TEST_CASE("run_process reads stdin from /dev/null", "[process_runner]") {
  auto r = run_process(request({"cat"}));
  REQUIRE(r.has_value());
  CHECK(r->succeeded());
  CHECK(r->stdout_text.empty());
}

TEST_CASE("run_process reports a missing binary as not installed", "[process_runner]") {
  auto r = run_process(request({"definitely-not-a-program-triage"}));
  REQUIRE_FALSE(r.has_value());
  CHECK(triage::is_not_installed(r.error()));
  CHECK_FALSE(triage::find_program("definitely-not-a-program-triage").has_value());
  CHECK(triage::find_program("sh").has_value());
  // Relative paths are never resolved against the caller's working directory.
  CHECK_FALSE(triage::find_program("./sh").has_value());
  auto empty = run_process(request({}));
  REQUIRE_FALSE(empty.has_value());
  CHECK_FALSE(triage::is_not_installed(empty.error()));
}

TEST_CASE("Action processes inherit the agent's sockets: a child sees only descriptors 0-2",
          "[process_runner]") {
  // Descriptors opened without close-on-exec, as a library or an old socket API would leave
  // them: the child must not receive them.
  int leaked_file = ::open("/dev/null", O_RDONLY);
  int leaked_socket = ::socket(AF_UNIX, SOCK_STREAM, 0);
  REQUIRE(leaked_file >= 0);
  REQUIRE(leaked_socket >= 0);
  // "; :" keeps the shell from replacing itself with ls: the listing is the shell's own table.
  auto r = run_process(request({"sh", "-c", "ls /proc/$$/fd; :"}));
  ::close(leaked_file);
  ::close(leaked_socket);
  REQUIRE(r.has_value());
  CHECK(r->succeeded());
  CHECK(r->stdout_text == "0\n1\n2\n");
}
