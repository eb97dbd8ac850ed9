#pragma once
// `triage-collector serve` settings: defaults, then the TOML config file, then flags.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "collector/actions/order_settings.hpp"
#include "collector/auth/ldap/ldap_settings.hpp"
#include "collector/auth/login_guard.hpp"
#include "collector/channel/postgres/cluster_settings.hpp"
#include "collector/enrollment/certificate_lifetime.hpp"
#include "collector/ingest/retention_task.hpp"
#include "collector/integrations/outbox_worker.hpp"
#include "collector/integrations/rt/rt_client.hpp"
#include "collector/integrations/webhook_connector.hpp"
#include "collector/live/live_service.hpp"
#include "collector/probes/probe_service.hpp"
#include "collector/server/site_certificate.hpp"
#include "collector/storage/open_store.hpp"
#include "collector/tickets/help_request_limiter.hpp"
#include "collector/tickets/sla_policy.hpp"
#include "shared/util/log_levels.hpp"
#include "shared/util/logging.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

struct CollectorConfig {
  std::string listen = "127.0.0.1:8443";
  /// A second listener for staff, the console, integrations and /metrics only ("" = none):
  /// same TLS and API, no agents, its own handshake gate, so a reconnect storm of agents on
  /// `listen` never queues an operator's request.
  std::string staff_listen;
  /// False: the agent port (`listen`) answers only what agents need (the WebSocket,
  /// enrollment, /healthz) and refuses staff routes with 421, so they are reachable on
  /// `staff_listen` alone.
  bool agent_port_serves_api = true;
  /// [staff_tls]: the site's own certificate and key for the staff listener (needs
  /// `staff_listen`); agents keep the collector's own on `listen`. Reloaded on SIGHUP.
  SiteCertificateFiles staff_tls;
  std::chrono::milliseconds handshake_timeout{10'000};
  /// An agent WebSocket that has not said hello this long after its TLS handshake is closed.
  std::chrono::milliseconds hello_timeout{10'000};
  /// Unauthenticated connections (before the TLS handshake and the hello; HTTP connections
  /// for their whole life) one source address may hold; IPv6 per /64. 0: no bound. Loopback
  /// counts like any address; `per_address_exempt` lists addresses never counted (a TCP load
  /// balancer in front).
  std::size_t max_unauthenticated_per_address = 64;
  std::vector<std::string> per_address_exempt;
  /// HTTP keep-alive: requests served on one connection, and its lifetime in seconds.
  std::size_t http_max_requests_per_connection = 100;
  std::chrono::seconds http_connection_max_age{300};
  /// [metrics] token_file: a file holding the bearer token that /metrics then requires on
  /// every listener. Without it, /metrics is served on `staff_listen` only.
  std::string metrics_token_file;
  /// TLS handshakes running at once; the others wait their turn (0: no bound). See
  /// transport::ServerOptions.
  std::size_t max_concurrent_handshakes = 64;
  /// Issue TLS session tickets (keys in pki/session-ticket-keys.json) so that agents resume
  /// their sessions, after a restart too, instead of a full handshake each time.
  bool tls_session_resumption = true;
  /// Agent messages over 16 KiB (full snapshots) read at once; the others wait their turn
  /// (0: no bound), each within `large_message_timeout`. See transport::ServerOptions.
  std::size_t max_concurrent_large_messages = 64;
  std::chrono::milliseconds large_message_timeout{60'000};
  std::chrono::milliseconds websocket_idle_timeout{120'000};
  std::size_t max_message_bytes = 4 * 1024 * 1024;
  std::size_t max_http_body_bytes = 1024 * 1024;
  /// Bytes of agent reports queued for the database writer before sessions stop reading
  /// (TCP back-pressure); they read again once the queue is down to half.
  std::size_t ingest_queue_bytes = 128 * 1024 * 1024;
  std::uint32_t heartbeat_interval_s = 60;
  std::uint32_t report_interval_s = 900;
  /// [agents] certificate_lifetime_s: how long a device certificate (at enrollment and at each
  /// renewal) is valid; agents renew theirs once two thirds of it have passed.
  std::chrono::seconds device_certificate_lifetime = kDefaultCertificateLifetime;
  std::chrono::seconds session_ttl{12 * 3600};
  /// [auth]: account lockout and per-client throttling of failed logins.
  LoginSettings login;
  /// [auth.ldap]: staff sign in with the company directory (LDAP / Active Directory).
  LdapSettings ldap;
  std::size_t io_threads = 2;
  std::size_t worker_threads = 2;
  std::string log_level = "info";
  std::string log_format = "human";
  /// [log.levels]: subsystem name -> level, apart from `log_level`. Applied again on SIGHUP.
  std::map<std::string, std::string> log_levels;
  /// [log] file, max_bytes, max_files: a rotated file instead of stderr.
  LogFile log_file;
  SlaPolicy sla;
  /// How long ticket enrichment waits for an online agent's fresh snapshot before it falls
  /// back to the newest stored one.
  std::chrono::milliseconds fresh_snapshot_timeout{3000};
  /// [tickets] help_request_burst, help_requests_per_hour, help_requests_per_day: how many
  /// help requests one device may turn into tickets.
  HelpRequestLimits help_limits;
  /// [retention]: how long deltas and metric points are kept, and how often compaction runs.
  RetentionSettings retention;
  /// [storage]: which backend holds the collector's data (see open_store()).
  StorageConfig storage;
  /// [cluster]: this node's name and lease among the nodes sharing a PostgreSQL database
  /// (node, lease_ms, renew_interval_ms); unused with SQLite.
  ClusterSettings cluster;
  /// [actions]: a directory of admin-defined action files (besides the built-ins) and the
  /// deadlines and limits of orders.
  std::string actions_dir;
  OrderSettings orders;
  /// [probes]: who may run diagnostic probes, their validity and the rate per device.
  ProbeSettings probes;
  /// [live]: live views running at once and how long one may last in all (who may open one
  /// follows [probes] viewers_may_run).
  LiveSettings live;
  /// [outbox]: delivery threads, retry policy and log retention of integration messages.
  OutboxSettings outbox;
  /// [webhooks]: timeouts and answer cap of outbound webhook requests.
  WebhookSettings webhooks;
  /// [webhooks] extra_ca_file: PEM certificates trusted besides the system store (private CAs).
  std::string webhook_extra_ca_file;
  /// [rt]: timeouts and answer cap of Request Tracker REST2 calls (TLS trust as [webhooks]).
  RtSettings rt;
  /// [rt] status_poll_interval_ms: how often linked RT tickets' status is read back.
  std::chrono::milliseconds rt_status_poll_interval{60'000};
};

/// Reads a TOML file over the defaults. Unknown keys and wrong types are errors naming the
/// key and line, so a typo never silently falls back to a default.
Result<CollectorConfig> load_collector_config(const std::filesystem::path& path,
                                              CollectorConfig base = {});

/// Splits "HOST:PORT" ("[::1]:8443" for IPv6).
Result<std::pair<std::string, std::uint16_t>> split_listen_address(std::string_view text);

}  // namespace triage::collector
