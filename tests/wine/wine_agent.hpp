#pragma once
// A Windows agent under Wine for the end-to-end tests: the real triage-agent.exe enrolled with
// a collector (token in a file, CA pin), its state under the collector fixture's folder, run
// with a config of its own.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"
#include "tests/support/collector_fixture.hpp"
#include "tests/wine/wine_session.hpp"

namespace triage::testing {

/// This machine's host name, which Wine reports as the Windows computer's.
std::string local_host_name();

class WineAgent {
 public:
  /// `config` is the agent's TOML; active probes are turned off before it (loopback only).
  WineAgent(CollectorFixture& collector, const std::string& name, const std::string& config = "");
  ~WineAgent();

  /// `triage-agent.exe enroll` with a fresh one-time token; the device id, or "" (see `out`).
  CommandResult enroll();
  /// "enrolled as device <id>" of the last enroll.
  const std::string& device_id() const { return device_id_; }
  const std::filesystem::path& state_dir() const { return state_; }

  /// `run`, with `args` after --state and --config.
  void start(const std::vector<std::string>& args = {});
  void stop();
  ChildProcess& process() { return *process_; }

  /// `get-help TEXT` through the pipe (or the spool when the agent is not running).
  CommandResult get_help(const std::string& text, int wait_s = 0);

 private:
  std::vector<std::string> with_state(std::vector<std::string> args) const;

  CollectorFixture& collector_;
  WineSession& wine_;
  std::string name_;
  std::filesystem::path state_;
  std::filesystem::path config_;
  std::string device_id_;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace triage::testing
