#include "collector/server/collector_config.hpp"

#include <algorithm>
#include <charconv>
#include <vector>

#include <toml++/toml.h>

namespace triage::collector {

namespace {

std::string where(const toml::node& node) {
  return "line " + std::to_string(node.source().begin.line);
}

template <class T>
Result<void> read_integer(const toml::table& table, std::string_view section, std::string_view key,
                          T& out, std::int64_t min, std::int64_t max) {
  auto* node = table.get(key);
  if (node == nullptr) return {};
  // Integers only: toml++'s value<int64_t>() converts a float, and one out of range is
  // undefined behaviour in that conversion.
  const auto* integer_node = node->as_integer();
  const auto value = integer_node ? std::optional<std::int64_t>(integer_node->get()) : std::nullopt;
  std::string name =
      section.empty() ? std::string(key) : std::string(section) + "." + std::string(key);
  if (!value || *value < min || *value > max) {
    return fail(ErrorCode::kInvalid, "config key `" + name + "` on " + where(*node) +
                                         ": expected an integer from " + std::to_string(min) +
                                         " to " + std::to_string(max));
  }
  out = static_cast<T>(*value);
  return {};
}

Result<void> read_string(const toml::table& table, std::string_view section, std::string_view key,
                         std::string& out) {
  auto* node = table.get(key);
  if (node == nullptr) return {};
  auto value = node->value<std::string>();
  if (!value) {
    return fail(ErrorCode::kInvalid, "config key `" + std::string(section) +
                                         (section.empty() ? "" : ".") + std::string(key) + "` on " +
                                         where(*node) + ": expected a string");
  }
  out = *value;
  return {};
}

Result<void> read_bool(const toml::table& table, std::string_view section, std::string_view key,
                       bool& out) {
  auto* node = table.get(key);
  if (node == nullptr) return {};
  auto value = node->value<bool>();
  if (!value) {
    return fail(ErrorCode::kInvalid, "config key `" + std::string(section) +
                                         (section.empty() ? "" : ".") + std::string(key) + "` on " +
                                         where(*node) + ": expected true or false");
  }
  out = *value;
  return {};
}

Result<void> read_string_list(const toml::table& table, std::string_view section,
                              std::string_view key, std::vector<std::string>& out) {
  auto* node = table.get(key);
  if (node == nullptr) return {};
  auto name = std::string(section) + "." + std::string(key);
  auto* array = node->as_array();
  if (array == nullptr) {
    return fail(ErrorCode::kInvalid,
                "config key `" + name + "` on " + where(*node) + ": expected a list of strings");
  }
  std::vector<std::string> values;
  for (const auto& item : *array) {
    auto value = item.value<std::string>();
    if (!value) {
      return fail(ErrorCode::kInvalid,
                  "config key `" + name + "` on " + where(item) + ": expected a list of strings");
    }
    values.push_back(*value);
  }
  out = std::move(values);
  return {};
}

Result<void> reject_unknown(const toml::table& table, std::string_view section,
                            std::initializer_list<std::string_view> known) {
  for (const auto& [key, node] : table) {
    bool ok = false;
    for (auto k : known) ok = ok || key.str() == k;
    if (!ok) {
      return fail(ErrorCode::kInvalid, "unknown config key `" + std::string(section) +
                                           (section.empty() ? "" : ".") + std::string(key.str()) +
                                           "` on " + where(node));
    }
  }
  return {};
}

}  // namespace

Result<CollectorConfig> load_collector_config(const std::filesystem::path& path,
                                              CollectorConfig c) {
  toml::table root;
  try {
    // Debian's toml++ is built with exceptions; they stop at this boundary.
    root = toml::parse_file(path.string());
  } catch (const toml::parse_error& err) {
    return fail(ErrorCode::kInvalid, "config " + path.string() + " line " +
                                         std::to_string(err.source().begin.line) + ": " +
                                         std::string(err.description()));
  }
  std::int64_t handshake_ms = c.handshake_timeout.count();
  std::int64_t hello_ms = c.hello_timeout.count();
  std::int64_t http_max_age_s = c.http_connection_max_age.count();
  std::int64_t idle_s = c.websocket_idle_timeout.count() / 1000;
  std::int64_t large_message_s = c.large_message_timeout.count() / 1000;
  std::int64_t session_h = c.session_ttl.count() / 3600;
  Result<void> steps[] = {
      reject_unknown(root, "",
                     {"listen", "staff_listen", "agent_port_serves_api", "limits", "agents", "log",
                      "metrics", "api", "threads", "auth", "sla", "tickets", "retention", "actions",
                      "outbox", "webhooks", "rt", "storage", "cluster"}),
      read_string(root, "", "listen", c.listen),
      read_string(root, "", "staff_listen", c.staff_listen),
      read_bool(root, "", "agent_port_serves_api", c.agent_port_serves_api),
  };
  for (auto& s : steps) {
    if (!s) return fail(path.string(), s.error());
  }
  auto section = [&](std::string_view name) -> const toml::table* {
    return root.get_as<toml::table>(name);
  };
  if (auto* t = section("limits")) {
    for (auto r :
         {reject_unknown(
              *t, "limits",
              {"handshake_timeout_ms", "websocket_idle_timeout_s", "max_message_bytes",
               "max_http_body_bytes", "max_concurrent_handshakes", "max_concurrent_large_messages",
               "large_message_timeout_s", "ingest_queue_bytes", "hello_timeout_ms",
               "max_unauthenticated_per_address", "per_address_exempt",
               "http_max_requests_per_connection", "http_connection_max_s"}),
          read_integer(*t, "limits", "hello_timeout_ms", hello_ms, 100, 600'000),
          read_integer(*t, "limits", "max_unauthenticated_per_address",
                       c.max_unauthenticated_per_address, 0, 1'000'000),
          read_string_list(*t, "limits", "per_address_exempt", c.per_address_exempt),
          read_integer(*t, "limits", "http_max_requests_per_connection",
                       c.http_max_requests_per_connection, 1, 1'000'000),
          read_integer(*t, "limits", "http_connection_max_s", http_max_age_s, 1, 86'400),
          read_integer(*t, "limits", "handshake_timeout_ms", handshake_ms, 100, 600'000),
          read_integer(*t, "limits", "websocket_idle_timeout_s", idle_s, 5, 3600),
          read_integer(*t, "limits", "max_message_bytes", c.max_message_bytes, 1024,
                       256 * 1024 * 1024),
          read_integer(*t, "limits", "max_http_body_bytes", c.max_http_body_bytes, 1024,
                       256 * 1024 * 1024),
          read_integer(*t, "limits", "max_concurrent_handshakes", c.max_concurrent_handshakes, 0,
                       100'000),
          read_integer(*t, "limits", "max_concurrent_large_messages",
                       c.max_concurrent_large_messages, 0, 100'000),
          read_integer(*t, "limits", "large_message_timeout_s", large_message_s, 1, 3600),
          read_integer(*t, "limits", "ingest_queue_bytes", c.ingest_queue_bytes, 1,
                       std::int64_t{4} * 1024 * 1024 * 1024)}) {
      if (!r) return fail(path.string(), r.error());
    }
  }
  if (auto* t = section("agents")) {
    for (auto r :
         {reject_unknown(*t, "agents", {"heartbeat_interval_s", "report_interval_s"}),
          read_integer(*t, "agents", "heartbeat_interval_s", c.heartbeat_interval_s, 5, 3600),
          read_integer(*t, "agents", "report_interval_s", c.report_interval_s, 10, 86400)}) {
      if (!r) return fail(path.string(), r.error());
    }
  }
  if (auto* t = section("api")) {
    for (auto r : {reject_unknown(*t, "api", {"session_ttl_hours"}),
                   read_integer(*t, "api", "session_ttl_hours", session_h, 1, 24 * 90)}) {
      if (!r) return fail(path.string(), r.error());
    }
  }
  if (auto* t = section("auth")) {
    auto& login = c.login;
    std::int64_t lockout_s = login.lockout.lockout.count();
    std::int64_t lockout_max_s = login.lockout.max_lockout.count();
    std::int64_t burst = static_cast<std::int64_t>(login.per_client.burst);
    std::int64_t per_minute = static_cast<std::int64_t>(login.per_client.per_minute);
    for (auto r : {reject_unknown(*t, "auth",
                                  {"lockout_failures", "lockout_seconds", "lockout_max_seconds",
                                   "client_failure_burst", "client_failures_per_minute",
                                   "login_threads", "login_queue"}),
                   read_integer(*t, "auth", "login_threads", login.login_threads, 1, 16),
                   read_integer(*t, "auth", "login_queue", login.login_queue, 0, 10'000),
                   read_integer(*t, "auth", "lockout_failures", login.lockout.max_failures, 1, 100),
                   read_integer(*t, "auth", "lockout_seconds", lockout_s, 1, 86400),
                   read_integer(*t, "auth", "lockout_max_seconds", lockout_max_s, 1, 7 * 86400),
                   read_integer(*t, "auth", "client_failure_burst", burst, 1, 10'000),
                   read_integer(*t, "auth", "client_failures_per_minute", per_minute, 1, 10'000)}) {
      if (!r) return fail(path.string(), r.error());
    }
    login.lockout.lockout = std::chrono::seconds(lockout_s);
    login.lockout.max_lockout = std::chrono::seconds(std::max(lockout_max_s, lockout_s));
    login.per_client.burst = static_cast<double>(burst);
    login.per_client.per_minute = static_cast<double>(per_minute);
  }
  if (auto* t = section("metrics")) {
    for (auto r : {reject_unknown(*t, "metrics", {"token_file"}),
                   read_string(*t, "metrics", "token_file", c.metrics_token_file)}) {
      if (!r) return fail(path.string(), r.error());
    }
  }
  if (auto* t = section("threads")) {
    for (auto r : {reject_unknown(*t, "threads", {"io", "workers"}),
                   read_integer(*t, "threads", "io", c.io_threads, 1, 64),
                   read_integer(*t, "threads", "workers", c.worker_threads, 1, 64)}) {
      if (!r) return fail(path.string(), r.error());
    }
  }
  if (auto* t = section("log")) {
    for (auto r : {reject_unknown(*t, "log", {"level", "format"}),
                   read_string(*t, "log", "level", c.log_level),
                   read_string(*t, "log", "format", c.log_format)}) {
      if (!r) return fail(path.string(), r.error());
    }
  }
  if (auto* t = section("sla")) {
    // p1_response_minutes, p1_resolve_minutes ... p4_resolve_minutes.
    std::vector<std::string> keys;
    for (int p = 1; p <= 4; ++p) {
      keys.push_back("p" + std::to_string(p) + "_response_minutes");
      keys.push_back("p" + std::to_string(p) + "_resolve_minutes");
    }
    for (const auto& [key, node] : *t) {
      if (std::find(keys.begin(), keys.end(), key.str()) == keys.end()) {
        return fail(ErrorCode::kInvalid, path.string() + ": unknown config key `sla." +
                                             std::string(key.str()) + "` on " + where(node));
      }
    }
    for (int p = 1; p <= 4; ++p) {
      auto& target = c.sla.targets[static_cast<std::size_t>(p - 1)];
      std::int64_t response = target.response.count();
      std::int64_t resolve = target.resolve.count();
      const std::string prefix = "p" + std::to_string(p);
      for (auto r : {read_integer(*t, "sla", prefix + "_response_minutes", response, 1, 525'600),
                     read_integer(*t, "sla", prefix + "_resolve_minutes", resolve, 1, 525'600)}) {
        if (!r) return fail(path.string(), r.error());
      }
      target.response = std::chrono::minutes(response);
      target.resolve = std::chrono::minutes(resolve);
    }
  }
  std::int64_t fresh_ms = c.fresh_snapshot_timeout.count();
  auto help_burst = static_cast<std::int64_t>(c.help_limits.burst);
  auto help_per_hour = static_cast<std::int64_t>(c.help_limits.per_hour);
  if (auto* t = section("tickets")) {
    for (auto r : {reject_unknown(*t, "tickets",
                                  {"fresh_snapshot_timeout_ms", "help_request_burst",
                                   "help_requests_per_hour", "help_requests_per_day"}),
                   read_integer(*t, "tickets", "fresh_snapshot_timeout_ms", fresh_ms, 100, 60'000),
                   read_integer(*t, "tickets", "help_request_burst", help_burst, 1, 10'000),
                   read_integer(*t, "tickets", "help_requests_per_hour", help_per_hour, 1, 100'000),
                   read_integer(*t, "tickets", "help_requests_per_day", c.help_limits.per_day, 1,
                                1'000'000)}) {
      if (!r) return fail(path.string(), r.error());
    }
    c.help_limits.burst = static_cast<double>(help_burst);
    c.help_limits.per_hour = static_cast<double>(help_per_hour);
  }
  c.fresh_snapshot_timeout = std::chrono::milliseconds(fresh_ms);
  if (auto* t = section("retention")) {
    std::int64_t delta_days = c.retention.keep_deltas.count() / 24;
    std::int64_t metric_days = c.retention.keep_metric_points.count() / 24;
    std::int64_t interval_min = c.retention.interval.count();
    for (auto r :
         {reject_unknown(*t, "retention", {"delta_days", "metric_days", "interval_minutes"}),
          read_integer(*t, "retention", "delta_days", delta_days, 1, 36'500),
          read_integer(*t, "retention", "metric_days", metric_days, 1, 36'500),
          read_integer(*t, "retention", "interval_minutes", interval_min, 1, 7 * 24 * 60)}) {
      if (!r) return fail(path.string(), r.error());
    }
    c.retention.keep_deltas = std::chrono::hours(24 * delta_days);
    c.retention.keep_metric_points = std::chrono::hours(24 * metric_days);
    c.retention.interval = std::chrono::minutes(interval_min);
  }
  if (auto* t = section("storage")) {
    for (auto r : {reject_unknown(*t, "storage", {"backend", "url"}),
                   read_string(*t, "storage", "backend", c.storage.backend),
                   read_string(*t, "storage", "url", c.storage.url)}) {
      if (!r) return fail(path.string(), r.error());
    }
    if (c.storage.backend != "sqlite" && c.storage.backend != "postgres") {
      return fail(ErrorCode::kInvalid, path.string() + ": config key `storage.backend`: `" +
                                           c.storage.backend +
                                           "` is not a storage backend (known: sqlite, postgres)");
    }
    if (c.storage.backend == "postgres" && c.storage.url.empty()) {
      return fail(ErrorCode::kInvalid,
                  path.string() +
                      ": config key `storage.url`: backend `postgres` needs the "
                      "database's url (a libpq connection string or postgres:// URL)");
    }
    if (c.storage.backend == "sqlite" && !c.storage.url.empty()) {
      return fail(ErrorCode::kInvalid,
                  path.string() +
                      ": config key `storage.url`: only the `postgres` backend "
                      "takes a url (SQLite keeps collector.db in the data directory)");
    }
  }
  if (auto* t = section("cluster")) {
    std::int64_t lease_ms = c.cluster.lease.count();
    std::int64_t renew_ms = c.cluster.renew_interval.count();
    for (auto r : {reject_unknown(*t, "cluster", {"node", "lease_ms", "renew_interval_ms"}),
                   read_string(*t, "cluster", "node", c.cluster.node),
                   read_integer(*t, "cluster", "lease_ms", lease_ms, 1000, 600'000),
                   read_integer(*t, "cluster", "renew_interval_ms", renew_ms, 100, 300'000)}) {
      if (!r) return fail(path.string(), r.error());
    }
    if (renew_ms >= lease_ms) {
      return fail(ErrorCode::kInvalid, path.string() +
                                           ": config key `cluster.renew_interval_ms` must be "
                                           "shorter than `cluster.lease_ms`");
    }
    c.cluster.lease = std::chrono::milliseconds(lease_ms);
    c.cluster.renew_interval = std::chrono::milliseconds(renew_ms);
  }
  if (auto* t = section("actions")) {
    auto& o = c.orders;
    std::int64_t ttl_s = o.order_ttl.count(), approval_h = o.approval_ttl.count() / 3600;
    std::int64_t skew_s = o.clock_skew.count(), sweep_ms = o.sweep_interval.count();
    for (auto r :
         {reject_unknown(*t, "actions",
                         {"dir", "order_ttl_s", "approval_ttl_hours", "max_queued_per_device",
                          "clock_skew_s", "sweep_interval_ms"}),
          read_string(*t, "actions", "dir", c.actions_dir),
          read_integer(*t, "actions", "order_ttl_s", ttl_s, 2, 86400),
          read_integer(*t, "actions", "approval_ttl_hours", approval_h, 1, 24 * 30),
          read_integer(*t, "actions", "max_queued_per_device", o.max_queued_per_device, 1, 1000),
          read_integer(*t, "actions", "clock_skew_s", skew_s, 0, 3600),
          read_integer(*t, "actions", "sweep_interval_ms", sweep_ms, 100, 600'000)}) {
      if (!r) return fail(path.string(), r.error());
    }
    o.order_ttl = std::chrono::seconds(ttl_s);
    o.approval_ttl = std::chrono::hours(approval_h);
    o.clock_skew = std::chrono::seconds(skew_s);
    o.sweep_interval = std::chrono::milliseconds(sweep_ms);
  }
  if (auto* t = section("outbox")) {
    auto& o = c.outbox;
    std::int64_t base_ms = o.retry.base.count();
    std::int64_t cap_ms = o.retry.cap.count();
    std::int64_t age_h = std::chrono::duration_cast<std::chrono::hours>(o.retry.max_age).count();
    std::int64_t poll_ms = o.poll_interval.count();
    std::int64_t retention_d = o.retention.count() / 24;
    for (auto r : {reject_unknown(*t, "outbox",
                                  {"workers", "retry_base_ms", "retry_cap_ms", "max_attempts",
                                   "max_age_hours", "poll_interval_ms", "retention_days"}),
                   read_integer(*t, "outbox", "workers", o.workers, 1, 16),
                   read_integer(*t, "outbox", "retry_base_ms", base_ms, 10, 3'600'000),
                   read_integer(*t, "outbox", "retry_cap_ms", cap_ms, 10, 86'400'000),
                   read_integer(*t, "outbox", "max_attempts", o.retry.max_attempts, 1, 1000),
                   read_integer(*t, "outbox", "max_age_hours", age_h, 1, 24 * 30),
                   read_integer(*t, "outbox", "poll_interval_ms", poll_ms, 50, 600'000),
                   read_integer(*t, "outbox", "retention_days", retention_d, 1, 3650)}) {
      if (!r) return fail(path.string(), r.error());
    }
    o.retry.base = std::chrono::milliseconds(base_ms);
    o.retry.cap = std::chrono::milliseconds(std::max(cap_ms, base_ms));
    o.retry.max_age = std::chrono::hours(age_h);
    o.poll_interval = std::chrono::milliseconds(poll_ms);
    o.retention = std::chrono::hours(retention_d * 24);
  }
  if (auto* t = section("webhooks")) {
    auto& w = c.webhooks;
    std::int64_t connect_ms = w.connect_timeout.count();
    std::int64_t request_ms = w.request_timeout.count();
    for (auto r : {reject_unknown(*t, "webhooks",
                                  {"extra_ca_file", "connect_timeout_ms", "request_timeout_ms",
                                   "max_response_bytes"}),
                   read_string(*t, "webhooks", "extra_ca_file", c.webhook_extra_ca_file),
                   read_integer(*t, "webhooks", "connect_timeout_ms", connect_ms, 100, 60'000),
                   read_integer(*t, "webhooks", "request_timeout_ms", request_ms, 100, 120'000),
                   read_integer(*t, "webhooks", "max_response_bytes", w.max_response_bytes, 1024,
                                16 * 1024 * 1024)}) {
      if (!r) return fail(path.string(), r.error());
    }
    w.connect_timeout = std::chrono::milliseconds(connect_ms);
    w.request_timeout = std::chrono::milliseconds(std::max(request_ms, connect_ms));
  }
  if (auto* t = section("rt")) {
    auto& r = c.rt;
    std::int64_t connect_ms = r.connect_timeout.count();
    std::int64_t request_ms = r.request_timeout.count();
    std::int64_t poll_ms = c.rt_status_poll_interval.count();
    for (auto res : {reject_unknown(*t, "rt",
                                    {"connect_timeout_ms", "request_timeout_ms",
                                     "max_response_bytes", "status_poll_interval_ms"}),
                     read_integer(*t, "rt", "connect_timeout_ms", connect_ms, 100, 60'000),
                     read_integer(*t, "rt", "request_timeout_ms", request_ms, 100, 300'000),
                     read_integer(*t, "rt", "max_response_bytes", r.max_response_bytes, 1024,
                                  64 * 1024 * 1024),
                     read_integer(*t, "rt", "status_poll_interval_ms", poll_ms, 100, 86'400'000)}) {
      if (!res) return fail(path.string(), res.error());
    }
    r.connect_timeout = std::chrono::milliseconds(connect_ms);
    r.request_timeout = std::chrono::milliseconds(std::max(request_ms, connect_ms));
    c.rt_status_poll_interval = std::chrono::milliseconds(poll_ms);
  }
  // A delivery never takes longer than its timeouts; a lease beyond them is never stolen. An
  // RT delivery makes up to three calls (the idempotency check reads two pages).
  c.outbox.lease =
      std::max(c.webhooks.connect_timeout + c.webhooks.request_timeout,
               std::chrono::duration_cast<std::chrono::milliseconds>(3 * c.rt.request_timeout)) +
      std::chrono::seconds(10);
  c.handshake_timeout = std::chrono::milliseconds(handshake_ms);
  c.hello_timeout = std::chrono::milliseconds(hello_ms);
  c.http_connection_max_age = std::chrono::seconds(http_max_age_s);
  c.websocket_idle_timeout = std::chrono::milliseconds(idle_s * 1000);
  c.large_message_timeout = std::chrono::milliseconds(large_message_s * 1000);
  c.session_ttl = std::chrono::seconds(session_h * 3600);
  return c;
}

Result<std::pair<std::string, std::uint16_t>> split_listen_address(std::string_view text) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return fail(ErrorCode::kInvalid, "listen address `" + std::string(text) +
                                         "`: expected HOST:PORT, e.g. 127.0.0.1:8443");
  }
  auto host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  auto port_text = text.substr(colon + 1);
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port > 65535) {
    return fail(ErrorCode::kInvalid,
                "listen address `" + std::string(text) + "`: port must be 0-65535");
  }
  return std::make_pair(std::string(host), static_cast<std::uint16_t>(port));
}

}  // namespace triage::collector
