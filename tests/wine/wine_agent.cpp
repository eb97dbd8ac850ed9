#include "tests/wine/wine_agent.hpp"

#include <unistd.h>

#include <fstream>

#include "shared/util/files.hpp"

namespace triage::testing {

namespace {

// Wine starts a program in a second or two once its prefix exists; a cold start of the agent
// (OpenSSL, the first snapshot) takes longer on a loaded machine.
constexpr auto kWineCommandTimeout = std::chrono::seconds(120);

/// "enrolled as device <id>" -> id.
std::string enrolled_device_id(const std::string& out) {
  const std::string marker = "enrolled as device ";
  auto at = out.find(marker);
  if (at == std::string::npos) return "";
  auto id = out.substr(at + marker.size());
  return id.substr(0, id.find_first_of("\r\n"));
}

}  // namespace

std::string local_host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

WineAgent::WineAgent(CollectorFixture& collector, const std::string& name,
                     const std::string& config)
    : collector_(collector),
      wine_(WineSession::shared()),
      name_(name),
      state_(collector.root() / ("wine-" + name)),
      config_(collector.root() / ("wine-" + name + ".toml")) {
  std::ofstream(config_) << "[probes]\nenabled = false\n" << config;
}

WineAgent::~WineAgent() { stop(); }

std::vector<std::string> WineAgent::with_state(std::vector<std::string> args) const {
  args.insert(args.end(), {"--state", WineSession::windows_path(state_)});
  return args;
}

CommandResult WineAgent::enroll() {
  const auto token_file = collector_.root() / ("wine-" + name_ + ".token");
  if (!write_file_atomic(token_file, collector_.create_token() + "\n", 0600)) return {};
  auto result =
      run_command(wine_.agent(with_state({"enroll", "--server", collector_.wss_url(),
                                          "--token-file", WineSession::windows_path(token_file),
                                          "--ca-sha256", collector_.ca_sha256()})),
                  collector_.root(), "", kWineCommandTimeout);
  device_id_ = enrolled_device_id(result.out);
  return result;
}

void WineAgent::start(const std::vector<std::string>& args) {
  auto argv = with_state({"--log-level", "debug", "run"});
  argv.insert(argv.end(), {"--config", WineSession::windows_path(config_)});
  argv.insert(argv.end(), args.begin(), args.end());
  process_ = std::make_unique<ChildProcess>(wine_.agent(argv), collector_.root(), "wine-" + name_);
}

void WineAgent::stop() {
  if (process_) process_->stop();
}

CommandResult WineAgent::get_help(const std::string& text, int wait_s) {
  return run_command(
      wine_.agent(with_state({"get-help", "--config", WineSession::windows_path(config_), "--wait",
                              std::to_string(wait_s), text})),
      collector_.root(), "", kWineCommandTimeout);
}

}  // namespace triage::testing
