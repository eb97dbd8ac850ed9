// Executing a verified order with harmless programs only: output streamed and capped, the
// environment scrubbed, the timeout ending the whole process group, a post-check reported.

#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

#include "agent/actions/order_executor.hpp"

using namespace triage;
using namespace triage::agent;

namespace {

v1::OrderPayload order(std::vector<std::string> argv, std::uint32_t timeout_s = 10,
                       std::uint64_t cap = 64 * 1024) {
  v1::OrderPayload p;
  p.set_order_id("o1");
  for (auto& a : argv) p.add_argv(a);
  p.set_timeout_s(timeout_s);
  p.set_output_cap_bytes(cap);
  return p;
}

}  // namespace

TEST_CASE("output is streamed in chunks and the exit status reported") {
  std::string streamed;
  auto result = execute_order(order({"/bin/echo", "hello; $(id)"}),
                              [&](OutputStream s, std::string_view data) {
                                if (s == OutputStream::kStdout) streamed += data;
                              });
  CHECK(result.state() == v1::SUCCEEDED);
  CHECK(result.exit_code() == 0);
  // One argv element, never shell text: printed literally.
  CHECK(streamed == "hello; $(id)\n");
  CHECK(result.output_excerpt() == "hello; $(id)\n");
  CHECK_FALSE(result.output_truncated());
}

TEST_CASE("a failing program is a failed order with its exit status") {
  auto result = execute_order(order({"/bin/false"}), nullptr);
  CHECK(result.state() == v1::FAILED);
  CHECK(result.exit_code() == 1);
  auto missing = execute_order(order({"/nonexistent/program"}), nullptr);
  CHECK(missing.state() == v1::FAILED);
  CHECK_THAT(missing.reason(), Catch::Contains("could not start"));
}

TEST_CASE("the environment is scrubbed") {
  ::setenv("TRIAGE_SECRET_FOR_TEST", "leak", 1);
  std::string out;
  auto result =
      execute_order(order({"/usr/bin/env"}), [&](OutputStream, std::string_view d) { out += d; });
  ::unsetenv("TRIAGE_SECRET_FOR_TEST");
  CHECK(result.state() == v1::SUCCEEDED);
  CHECK(out.find("TRIAGE_SECRET_FOR_TEST") == std::string::npos);
  CHECK(out.find("HOME=") == std::string::npos);
  CHECK(out.find("PATH=/usr/local/sbin:") != std::string::npos);
  CHECK(out.find("LC_ALL=C") != std::string::npos);
}

TEST_CASE("the output cap holds") {
  std::size_t streamed = 0;
  auto result = execute_order(order({"/usr/bin/seq", "1", "100000"}, 10, 100),
                              [&](OutputStream, std::string_view d) { streamed += d.size(); });
  CHECK(result.state() == v1::SUCCEEDED);
  CHECK(result.output_truncated());
  CHECK(streamed == 100);
  CHECK(result.output_excerpt().size() == 100);
}

TEST_CASE("a timeout ends the whole process group", "[slow]") {
  // The program starts a grandchild in the same group, then waits; both must end.
  ExecutorOptions options;
  options.kill_grace = std::chrono::milliseconds(200);
  std::string pid_text;
  auto result = execute_order(
      order({"/bin/sh", "-c", "/bin/sleep 300 & echo $!; wait"}, 1),
      [&](OutputStream, std::string_view d) { pid_text += d; }, options);
  CHECK(result.state() == v1::FAILED);
  CHECK(result.timed_out());
  const int grandchild = std::atoi(pid_text.c_str());
  REQUIRE(grandchild > 0);
  // Killed by the group signal (reaped by init, or a zombie at worst): no longer running.
  // SIGKILL is delivered asynchronously, so allow it a moment to land.
  auto ended = [&] {
    if (::kill(grandchild, 0) != 0) return true;
    std::string state;
    std::ifstream stat("/proc/" + std::to_string(grandchild) + "/stat");
    std::getline(stat, state);
    return state.find(") Z") != std::string::npos;
  };
  bool gone = ended();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!gone && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    gone = ended();
  }
  CHECK(gone);
}

TEST_CASE("a post-check runs after success and is reported") {
  auto p = order({"/bin/true"});
  p.mutable_post_check()->add_argv("/bin/false");
  p.mutable_post_check()->set_expect_exit_code(0);
  p.mutable_post_check()->set_timeout_s(5);
  auto result = execute_order(p, nullptr);
  CHECK(result.state() == v1::SUCCEEDED);
  CHECK(result.post_check().ran());
  CHECK_FALSE(result.post_check().passed());
  CHECK(result.post_check().exit_code() == 1);
}

namespace {

/// An eventfd written by the test to cancel a run.
struct CancelSwitch {
  int fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  ~CancelSwitch() { ::close(fd); }
  void pull() const {
    const std::uint64_t one = 1;
    REQUIRE(::write(fd, &one, sizeof one) == sizeof one);
  }
};

/// True once `pid` has ended (gone, or a zombie), polled for up to 10 s: it closes its pipes
/// a moment before it is a zombie.
bool process_gone(int pid) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    if (::kill(pid, 0) != 0) return true;
    std::string state;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::getline(stat, state);
    if (state.find(") Z") != std::string::npos || state.find(") X") != std::string::npos) {
      return true;
    }
    if (std::chrono::steady_clock::now() > deadline) return false;
    ::usleep(10'000);
  }
}

}  // namespace

TEST_CASE("a cancellation ends the whole process group and skips the post-check") {
  CancelSwitch cancel;
  ExecutorOptions options;
  options.kill_grace = std::chrono::milliseconds(200);
  options.cancel_fd = cancel.fd;
  auto p = order({"/bin/sh", "-c", "/bin/sleep 300 & echo $!; wait"}, 600);
  p.mutable_post_check()->add_argv("/bin/true");
  std::string pid_text;
  auto result = execute_order(
      p,
      [&](OutputStream, std::string_view d) {
        pid_text += d;
        // Cancelled once the grandchild exists, as staff would while it runs.
        if (pid_text.find('\n') != std::string::npos) cancel.pull();
      },
      options);
  CHECK(result.state() == v1::CANCELLED);
  CHECK_FALSE(result.timed_out());
  CHECK(result.term_signal() == SIGTERM);
  CHECK_THAT(result.reason(), Catch::StartsWith("cancelled after"));
  CHECK_FALSE(result.post_check().ran());
  const int grandchild = std::atoi(pid_text.c_str());
  REQUIRE(grandchild > 0);
  CHECK(process_gone(grandchild));
}

TEST_CASE("a program that ignores SIGTERM is killed after the grace when cancelled") {
  CancelSwitch cancel;
  ExecutorOptions options;
  options.kill_grace = std::chrono::milliseconds(200);
  options.cancel_fd = cancel.fd;
  // Cancelled once it says it ignores SIGTERM (the ignoring is inherited by its sleeps).
  auto result = execute_order(
      order({"/bin/sh", "-c", "trap '' TERM; echo ignoring; while :; do /bin/sleep 1; done"}, 600),
      [&](OutputStream, std::string_view) { cancel.pull(); }, options);
  CHECK(result.state() == v1::CANCELLED);
  CHECK(result.term_signal() == SIGKILL);
}
