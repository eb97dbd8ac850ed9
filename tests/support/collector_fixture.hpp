#pragma once
// A real collector process for integration tests: its own data dir, a free loopback port,
// an admin session for API calls, and helpers to enroll and run real agents against it.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "shared/transport/http_types.hpp"
#include "shared/transport/tls_context.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace triage::testing {

struct ApiResponse {
  int status = 0;
  nlohmann::json body;                         ///< discarded when the body is not JSON (see `text`)
  std::map<std::string, std::string> headers;  ///< lower-case names; the last of repeats
  std::string text;                            ///< the body as received
  /// The response header `name` (lower-case), or "" when absent.
  std::string header(const std::string& name) const;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

/// One API request to the collector listening on 127.0.0.1:`port`, trusting the CA `ca_pem`:
/// a raw body (Content-Type application/json when not empty) and extra headers. Throws when
/// no response comes.
ApiResponse api_request(const std::string& ca_pem, std::uint16_t port, transport::http::verb verb,
                        const std::string& target, const std::string& body,
                        const Headers& headers = {});

/// One row of the collector's `reports` table, read straight from its SQLite file.
struct ReportRow {
  std::uint64_t seq = 0;
  std::string kind;
  std::int64_t received_at = 0;
  std::string payload;  ///< the AgentMessage as received
};

class CollectorFixture {
 public:
  /// `extra_config` is TOML appended to the collector's config file. Unless it has a
  /// `[metrics]` section of its own, /metrics requires metrics_token() as a bearer token; unless
  /// it has a `[log]` section, the collector logs at debug.
  explicit CollectorFixture(const std::string& extra_config = "");
  ~CollectorFixture();

  const std::filesystem::path& root() const { return temp_.path(); }
  std::filesystem::path data_dir() const { return temp_.path() / "collector"; }
  std::uint16_t port() const { return port_; }
  /// The staff listener's port (config `staff_listen`), 0 when there is none.
  std::uint16_t staff_port() const { return staff_port_; }
  std::string wss_url() const { return "wss://127.0.0.1:" + std::to_string(port_); }
  const std::string& ca_sha256() const { return ca_sha256_; }
  std::string ca_pem() const;
  ChildProcess& process() { return *process_; }
  /// The bearer token /metrics requires (see the constructor).
  static std::string metrics_token() { return "test-metrics-token-not-secret"; }
  /// The value of a /metrics line like `name{labels} 12` read with metrics_token() on the agent
  /// port: 0 when the line is absent, -1 when /metrics could not be read.
  double metric(const std::string& line_prefix);

  /// Starts `serve` (again) and waits until it listens; keeps the port across restarts.
  void start();
  void stop();

  /// `triage-collector token create`.
  std::string create_token(int uses = 1, const std::string& ttl = "1h");
  /// Creates a user with the CLI and logs in through the API; returns a bearer token.
  std::string login_as(const std::string& name, const std::string& role);
  /// A bearer token of an admin created on first use.
  const std::string& admin_token();

  ApiResponse get(const std::string& target, const std::string& bearer = "");
  ApiResponse post(const std::string& target, const nlohmann::json& body,
                   const std::string& bearer = "");
  ApiResponse patch(const std::string& target, const nlohmann::json& body,
                    const std::string& bearer = "");
  /// Any method, a raw body (Content-Type application/json when not empty) and extra headers
  /// (Cookie, X-CSRF-Token, Authorization...).
  ApiResponse send(transport::http::verb verb, const std::string& target, const std::string& body,
                   const Headers& headers = {});
  /// `user add` through the CLI with a chosen password.
  void add_user(const std::string& name, const std::string& role, const std::string& password);

  /// The device's stored reports in seq order (read-only; works while the collector runs).
  std::vector<ReportRow> reports(const std::string& device_id);

  /// Runs triage-collector with `args` plus `--data DIR`.
  CommandResult cli(std::vector<std::string> args, const std::string& stdin_text = "");

 private:
  ApiResponse request(transport::http::verb verb, const std::string& target,
                      const std::string& body, const std::string& bearer);

  TempDir temp_;
  std::uint16_t port_ = 0;
  std::uint16_t staff_port_ = 0;
  std::string ca_sha256_;
  std::filesystem::path config_;
  std::unique_ptr<ChildProcess> process_;
  std::optional<std::string> admin_token_;
  int starts_ = 0;
};

/// A real agent enrolled with a collector, with its own state directory.
class AgentFixture {
 public:
  AgentFixture(CollectorFixture& collector, const std::string& name);
  ~AgentFixture();

  std::filesystem::path state_dir() const { return state_; }
  /// A client TLS context holding this enrolled agent's device certificate and key (for raw
  /// WebSocket probes that speak as the device).
  transport::SslContextPtr device_tls() const;
  /// The agent config used by start() unless the caller passes its own --config: active
  /// network probes off, because tests send traffic to loopback addresses only.
  std::filesystem::path config_path() const { return config_; }
  /// Runs `enroll` with a fresh token; returns the CLI result.
  CommandResult enroll();
  /// Starts `run`.
  void start();
  /// Starts `run` with extra arguments after `--state DIR` (e.g. --config, --report-interval).
  void start(const std::vector<std::string>& run_args);
  void stop();
  ChildProcess* process() { return process_.get(); }
  /// The device id from the state dir (after a successful enroll).
  std::string device_id() const;

 private:
  CollectorFixture& collector_;
  std::string name_;
  std::filesystem::path state_;
  std::filesystem::path config_;
  std::unique_ptr<ChildProcess> process_;
};

/// True when the device is listed online by the collector.
bool device_online(CollectorFixture& collector, const std::string& device_id);

}  // namespace triage::testing
