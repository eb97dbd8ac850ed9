// The Linux platform layer behind the agent's seams: system paths, service control and the
// local user, through their platform-neutral interfaces.
#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "agent/ipc/local_user.hpp"
#include "agent/service/service_control.hpp"
#include "agent/service/token_file_enrollment.hpp"
#include "agent/state/system_paths.hpp"

using namespace triage::agent;
using namespace std::chrono_literals;

TEST_CASE("Linux system paths are the packaged service's", "[platform]") {
  const auto& paths = system_paths();
  CHECK(paths.state_dir == "/var/lib/triage-agent");
  CHECK(paths.config_file == "/etc/triage/agent.toml");
  CHECK(paths.service_ipc_endpoint == "/run/triage-agent/agent.sock");
}

TEST_CASE("Unattended install: the token file is enroll.token beside the packaged config",
          "[platform]") {
  CHECK(default_token_file() == "/etc/triage/enroll.token");
}

TEST_CASE("the daemon's endpoint follows systemd's RUNTIME_DIRECTORY", "[platform]") {
  const char* saved = std::getenv("RUNTIME_DIRECTORY");
  const std::optional<std::string> before =
      saved ? std::optional<std::string>(saved) : std::nullopt;
  ::setenv("RUNTIME_DIRECTORY", "/run/triage-agent", 1);
  CHECK(service_manager_ipc_endpoint() == std::filesystem::path("/run/triage-agent/agent.sock"));
  ::setenv("RUNTIME_DIRECTORY", "relative/dir", 1);
  CHECK_FALSE(service_manager_ipc_endpoint().has_value());
  ::unsetenv("RUNTIME_DIRECTORY");
  CHECK_FALSE(service_manager_ipc_endpoint().has_value());
  if (before) ::setenv("RUNTIME_DIRECTORY", before->c_str(), 1);
}

TEST_CASE("SIGTERM reaches the stop handler once, on the daemon's io_context", "[platform]") {
  boost::asio::io_context ioc;
  std::vector<std::string> stops;
  auto watch = watch_stop_requests(ioc, [&](const std::string& why) { stops.push_back(why); });
  REQUIRE(::raise(SIGTERM) == 0);
  // Delivered through the io_context, never from the signal handler itself.
  CHECK(stops.empty());
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (stops.empty() && std::chrono::steady_clock::now() < deadline) {
    if (ioc.run_one_until(deadline) == 0) break;
  }
  CHECK(stops == std::vector<std::string>{"signal " + std::to_string(SIGTERM)});
}

TEST_CASE("the local user is the process's real user", "[platform]") {
  const auto me = ipc::current_local_user();
  CHECK(me.uid == ::getuid());
  const passwd* pw = ::getpwuid(::getuid());
  CHECK(me.name == (pw != nullptr ? std::string(pw->pw_name) : std::string()));
}
