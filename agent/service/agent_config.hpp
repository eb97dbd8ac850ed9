#pragma once
// The agent's configuration file (TOML, documented in docs/agent.md): collector URL override,
// intervals, categories, probes, spool cap, logging, the local IPC socket, and the local
// action policy the endpoint owner sets. Unknown keys and bad values are errors naming the key
// and its line.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "agent/actions/action_policy.hpp"
#include "agent/probes/probe_policy.hpp"
#include "shared/util/result.hpp"

namespace triage::agent {

struct AgentConfig {
  /// wss://HOST:PORT overriding the URL recorded at enrollment ("" = keep it).
  std::string collector_url;
  /// The collector CA's SHA-256 (hex), for enrolling from the token file at first start
  /// (agent/service/token_file_enrollment.hpp); "" = no such enrollment.
  std::string collector_ca_sha256;
  /// Scheduled delta reports. Set locally, it wins over the collector's suggestion.
  std::chrono::seconds report_interval{900};
  bool report_interval_set = false;
  /// Used when the collector's HelloAck does not name one.
  std::chrono::seconds heartbeat_interval{60};
  std::vector<std::string> disabled_categories;
  bool probes_enabled = true;
  std::string probe_dns_name;
  bool probe_collector = true;
  std::uint64_t spool_max_bytes = 64ull * 1024 * 1024;
  std::string log_level = "info";
  std::string log_format = "human";
  /// Local socket for `get-help` ("" = STATE/agent.sock).
  std::string ipc_socket;
  /// Group that may use the socket (mode 0660); root's group when it does not exist.
  std::string ipc_group = "triage";
  /// Help requests one local user may file per hour (they are never evicted from the spool).
  std::uint32_t help_requests_per_hour = 12;
  ActionPolicy policy;
  /// Which diagnostic probes technicians may run here, and how often (`[probe_policy]`).
  ProbePolicy probe_policy;
  /// Root the collectors read /proc, /sys, /etc, /var under (`run --sysroot`; not a config
  /// key): lets a fixture machine stand in for this one.
  std::string sysroot = "/";
};

/// Reads and validates `path`. Errors name the file, key and line.
Result<AgentConfig> load_agent_config(const std::filesystem::path& path);

/// Same from text (`origin` names it in errors); for tests.
Result<AgentConfig> parse_agent_config(std::string_view text, const std::string& origin);

}  // namespace triage::agent
