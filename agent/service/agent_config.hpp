#pragma once
// The agent's configuration file (TOML, documented in docs/agent.md): collector URL override,
// intervals, categories, probes, spool cap, logging, the local IPC socket, and the local
// action policy the endpoint owner sets. Unknown keys and bad values are errors naming the key
// and its line.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "shared/util/result.hpp"

namespace triage::agent {

/// Risk levels of remediation actions, in increasing order.
enum class ActionRisk { kLow, kMedium, kHigh };

/// "low", "medium", "high".
std::string_view action_risk_name(ActionRisk risk);

/// Telling logged-in users before a medium- or high-risk action runs.
struct UserNoticePolicy {
  /// Off by default: the owner turns it on.
  bool enabled = false;
  /// How long the agent waits after the notice before it runs the action.
  std::chrono::seconds delay{60};
  /// Where the logged-in sessions are read from (utmp(5)).
  std::string utmp_path = "/var/run/utmp";
};

/// What this endpoint lets the collector run (enforced when orders arrive).
struct ActionPolicy {
  /// Orders above this risk are refused; nullopt ("none") refuses every order.
  std::optional<ActionRisk> max_risk = ActionRisk::kLow;
  /// Action ids allowed; empty = any catalog action within max_risk.
  std::vector<std::string> allow;
  /// Action ids always refused, whatever their risk.
  std::vector<std::string> deny;
  /// Custom (non built-in) definitions this endpoint runs, by the SHA-256 of their file:
  /// "sha256:<64 lower-case hex>". A custom action whose hash is not here is refused.
  std::vector<std::string> allow_custom;
  UserNoticePolicy notice;

  /// True when an action of `id` and `risk` may run here.
  bool allows(std::string_view id, ActionRisk risk) const;
  /// True when `allow_custom` pins the definition whose SHA-256 is `sha256_hex` (lower case).
  bool pins_custom(std::string_view sha256_hex) const;
};

struct AgentConfig {
  /// wss://HOST:PORT overriding the URL recorded at enrollment ("" = keep it).
  std::string collector_url;
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
  /// Root the collectors read /proc, /sys, /etc, /var under (`run --sysroot`; not a config
  /// key): lets a fixture machine stand in for this one.
  std::string sysroot = "/";
};

/// Reads and validates `path`. Errors name the file, key and line.
Result<AgentConfig> load_agent_config(const std::filesystem::path& path);

/// Same from text (`origin` names it in errors); for tests.
Result<AgentConfig> parse_agent_config(std::string_view text, const std::string& origin);

}  // namespace triage::agent
