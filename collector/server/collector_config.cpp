#include "collector/server/collector_config.hpp"

#include <algorithm>
#include <charconv>
#include <vector>

#include "shared/util/toml_reader.hpp"

namespace triage::collector {

namespace {

// One function per [section]: each reads its keys over the values `c` holds (the defaults, or
// the caller's base) and checks what its keys mean together.
using Section = Result<void> (*)(const TomlReader&, CollectorConfig&);

Result<void> read_top(const TomlReader& r, CollectorConfig& c) {
  for (auto step : {r.allow_only({"listen",    "staff_listen", "agent_port_serves_api",
                                  "limits",    "agents",       "log",
                                  "metrics",   "api",          "threads",
                                  "auth",      "sla",          "tickets",
                                  "retention", "actions",      "outbox",
                                  "webhooks",  "rt",           "storage",
                                  "cluster",   "probes",       "staff_tls",
                                  "live"}),
                    r.read("listen", c.listen), r.read("staff_listen", c.staff_listen),
                    r.read("agent_port_serves_api", c.agent_port_serves_api)}) {
    if (!step) return step;
  }
  return {};
}

Result<void> read_limits(const TomlReader& r, CollectorConfig& c) {
  std::int64_t handshake_ms = c.handshake_timeout.count();
  std::int64_t hello_ms = c.hello_timeout.count();
  std::int64_t http_max_age_s = c.http_connection_max_age.count();
  std::int64_t idle_s = c.websocket_idle_timeout.count() / 1000;
  std::int64_t large_message_s = c.large_message_timeout.count() / 1000;
  for (auto step :
       {r.allow_only({"handshake_timeout_ms", "websocket_idle_timeout_s", "max_message_bytes",
                      "max_http_body_bytes", "max_concurrent_handshakes",
                      "max_concurrent_large_messages", "large_message_timeout_s",
                      "ingest_queue_bytes", "hello_timeout_ms", "max_unauthenticated_per_address",
                      "per_address_exempt", "http_max_requests_per_connection",
                      "http_connection_max_s", "tls_session_resumption"}),
        r.read("tls_session_resumption", c.tls_session_resumption),
        r.read("hello_timeout_ms", hello_ms, 100, 600'000),
        r.read("max_unauthenticated_per_address", c.max_unauthenticated_per_address, 0, 1'000'000),
        r.read("per_address_exempt", c.per_address_exempt),
        r.read("http_max_requests_per_connection", c.http_max_requests_per_connection, 1,
               1'000'000),
        r.read("http_connection_max_s", http_max_age_s, 1, 86'400),
        r.read("handshake_timeout_ms", handshake_ms, 100, 600'000),
        r.read("websocket_idle_timeout_s", idle_s, 5, 3600),
        r.read("max_message_bytes", c.max_message_bytes, 1024, 256 * 1024 * 1024),
        r.read("max_http_body_bytes", c.max_http_body_bytes, 1024, 256 * 1024 * 1024),
        r.read("max_concurrent_handshakes", c.max_concurrent_handshakes, 0, 100'000),
        r.read("max_concurrent_large_messages", c.max_concurrent_large_messages, 0, 100'000),
        r.read("large_message_timeout_s", large_message_s, 1, 3600),
        r.read("ingest_queue_bytes", c.ingest_queue_bytes, 1,
               std::int64_t{4} * 1024 * 1024 * 1024)}) {
    if (!step) return step;
  }
  c.handshake_timeout = std::chrono::milliseconds(handshake_ms);
  c.hello_timeout = std::chrono::milliseconds(hello_ms);
  c.http_connection_max_age = std::chrono::seconds(http_max_age_s);
  c.websocket_idle_timeout = std::chrono::milliseconds(idle_s * 1000);
  c.large_message_timeout = std::chrono::milliseconds(large_message_s * 1000);
  return {};
}

Result<void> read_agents(const TomlReader& r, CollectorConfig& c) {
  std::int64_t lifetime_s = c.device_certificate_lifetime.count();
  for (auto step :
       {r.allow_only({"heartbeat_interval_s", "report_interval_s", "certificate_lifetime_s"}),
        r.read("heartbeat_interval_s", c.heartbeat_interval_s, 5, 3600),
        r.read("report_interval_s", c.report_interval_s, 10, 86400),
        r.read("certificate_lifetime_s", lifetime_s, 240, std::int64_t{20} * 365 * 86400)}) {
    if (!step) return step;
  }
  c.device_certificate_lifetime = std::chrono::seconds(lifetime_s);
  return {};
}

Result<void> read_api(const TomlReader& r, CollectorConfig& c) {
  std::int64_t session_h = c.session_ttl.count() / 3600;
  for (auto step :
       {r.allow_only({"session_ttl_hours"}), r.read("session_ttl_hours", session_h, 1, 24 * 90)}) {
    if (!step) return step;
  }
  c.session_ttl = std::chrono::seconds(session_h * 3600);
  return {};
}

Result<void> read_role_groups(const TomlReader& r, LdapSettings& ldap) {
  const std::vector<std::string> roles = {"viewer", "technician", "senior", "admin"};
  if (auto known = r.allow_only(roles); !known) return known;
  for (std::size_t i = 0; i < roles.size(); ++i) {
    auto check = [](const std::string& dn) {
      return dn.find('=') == std::string::npos ? "expected a group DN (CN=...,DC=...)"
                                               : std::string();
    };
    if (auto read = r.read(roles[i], ldap.role_groups[i], check); !read) return read;
  }
  return {};
}

Result<void> read_ldap(const TomlReader& r, CollectorConfig& c) {
  auto& l = c.ldap;
  std::int64_t timeout_ms = l.timeout.count();
  std::int64_t recheck_s = l.recheck.count();
  std::int64_t grace_s = l.unreachable_grace.count();
  for (auto step :
       {r.allow_only({"url", "starttls", "ca_file", "bind_dn", "bind_password_file", "user_base",
                      "user_filter", "group_base", "group_filter", "member_of_attribute",
                      "role_groups", "timeout_ms", "recheck_seconds", "unreachable_grace_seconds"}),
        r.read("url", l.url), r.read("starttls", l.starttls), r.read("ca_file", l.ca_file),
        r.read("bind_dn", l.bind_dn), r.read("bind_password_file", l.bind_password_file),
        r.read("user_base", l.user_base), r.read("user_filter", l.user_filter),
        r.read("group_base", l.group_base), r.read("group_filter", l.group_filter),
        r.read("member_of_attribute", l.member_of_attribute),
        r.read("timeout_ms", timeout_ms, 100, 60'000),
        r.read("recheck_seconds", recheck_s, 1, 86'400),
        r.read("unreachable_grace_seconds", grace_s, 0, 7 * 86'400)}) {
    if (!step) return step;
  }
  l.timeout = std::chrono::milliseconds(timeout_ms);
  l.recheck = std::chrono::seconds(recheck_s);
  l.unreachable_grace = std::chrono::seconds(grace_s);
  auto groups = r.section("role_groups");
  if (!groups) return tl::unexpected(groups.error());
  if (*groups != nullptr) {
    if (auto read = read_role_groups(r.nested(**groups, "role_groups"), l); !read) return read;
  }
  if (l.url.empty()) return r.error("url", "[auth.ldap] needs the directory's url (ldaps://...)");
  return check_ldap_settings(l);
}

Result<void> read_auth(const TomlReader& r, CollectorConfig& c) {
  auto& login = c.login;
  std::int64_t lockout_s = login.lockout.lockout.count();
  std::int64_t lockout_max_s = login.lockout.max_lockout.count();
  auto burst = static_cast<std::int64_t>(login.per_client.burst);
  auto per_minute = static_cast<std::int64_t>(login.per_client.per_minute);
  for (auto step :
       {r.allow_only({"lockout_failures", "lockout_seconds", "lockout_max_seconds",
                      "client_failure_burst", "client_failures_per_minute", "login_threads",
                      "login_queue", "require_totp_for_admins", "ldap"}),
        r.read("require_totp_for_admins", login.require_totp_for_admins),
        r.read("login_threads", login.login_threads, 1, 16),
        r.read("login_queue", login.login_queue, 0, 10'000),
        r.read("lockout_failures", login.lockout.max_failures, 1, 100),
        r.read("lockout_seconds", lockout_s, 1, 86400),
        r.read("lockout_max_seconds", lockout_max_s, 1, 7 * 86400),
        r.read("client_failure_burst", burst, 1, 10'000),
        r.read("client_failures_per_minute", per_minute, 1, 10'000)}) {
    if (!step) return step;
  }
  login.lockout.lockout = std::chrono::seconds(lockout_s);
  login.lockout.max_lockout = std::chrono::seconds(std::max(lockout_max_s, lockout_s));
  login.per_client.burst = static_cast<double>(burst);
  login.per_client.per_minute = static_cast<double>(per_minute);
  auto ldap = r.section("ldap");
  if (!ldap) return tl::unexpected(ldap.error());
  if (*ldap != nullptr) return read_ldap(r.nested(**ldap, "ldap"), c);
  return {};
}

Result<void> read_metrics(const TomlReader& r, CollectorConfig& c) {
  for (auto step : {r.allow_only({"token_file"}), r.read("token_file", c.metrics_token_file)}) {
    if (!step) return step;
  }
  return {};
}

Result<void> read_threads(const TomlReader& r, CollectorConfig& c) {
  for (auto step : {r.allow_only({"io", "workers"}), r.read("io", c.io_threads, 1, 64),
                    r.read("workers", c.worker_threads, 1, 64)}) {
    if (!step) return step;
  }
  return {};
}

Result<void> read_log(const TomlReader& r, CollectorConfig& c) {
  auto& file = c.log_file;
  for (auto step :
       {r.allow_only({"level", "format", "file", "max_bytes", "max_files", "levels"}),
        r.read("level", c.log_level), r.read("format", c.log_format), r.read("file", file.path),
        r.read("max_bytes", file.max_bytes, 64 * 1024, std::int64_t{64} * 1024 * 1024 * 1024),
        r.read("max_files", file.max_files, 1, 1000)}) {
    if (!step) return step;
  }
  if (auto checked = check_log_level(c.log_level); !checked) {
    return r.error("level", checked.error().message);
  }
  if (auto format = parse_log_format(c.log_format); !format) {
    return r.error("format", format.error().message);
  }
  auto levels = r.section("levels");
  if (!levels) return tl::unexpected(levels.error());
  if (*levels == nullptr) return {};
  const auto nested = r.nested(**levels, "levels");
  for (const auto& [key, value] : **levels) {
    const std::string name(key.str());
    if (!parse_subsystem(name)) {
      std::vector<std::string> known(kSubsystemNames.begin(), kSubsystemNames.end());
      if (auto refused = nested.allow_only(known); !refused) return refused;
    }
    std::string level;
    if (auto read = nested.read(name, level); !read) return read;
    if (auto checked = check_log_level(level); !checked) {
      return nested.error(name, checked.error().message);
    }
    c.log_levels[name] = level;
  }
  return {};
}

Result<void> read_staff_tls(const TomlReader& r, CollectorConfig& c) {
  for (auto step :
       {r.allow_only({"certificate", "key"}), r.read("certificate", c.staff_tls.certificate),
        r.read("key", c.staff_tls.key)}) {
    if (!step) return step;
  }
  if (c.staff_tls.certificate.empty() != c.staff_tls.key.empty()) {
    return r.error(c.staff_tls.certificate.empty() ? "certificate" : "key",
                   "`staff_tls` needs both `certificate` and `key` (PEM files)");
  }
  return {};
}

Result<void> read_sla(const TomlReader& r, CollectorConfig& c) {
  // p1_response_minutes, p1_resolve_minutes ... p4_resolve_minutes.
  std::vector<std::string> keys;
  for (int p = 1; p <= 4; ++p) {
    keys.push_back("p" + std::to_string(p) + "_response_minutes");
    keys.push_back("p" + std::to_string(p) + "_resolve_minutes");
  }
  if (auto known = r.allow_only(keys); !known) return known;
  for (int p = 1; p <= 4; ++p) {
    auto& target = c.sla.targets[static_cast<std::size_t>(p - 1)];
    std::int64_t response = target.response.count();
    std::int64_t resolve = target.resolve.count();
    const std::string prefix = "p" + std::to_string(p);
    for (auto step : {r.read(prefix + "_response_minutes", response, 1, 525'600),
                      r.read(prefix + "_resolve_minutes", resolve, 1, 525'600)}) {
      if (!step) return step;
    }
    target.response = std::chrono::minutes(response);
    target.resolve = std::chrono::minutes(resolve);
  }
  return {};
}

Result<void> read_tickets(const TomlReader& r, CollectorConfig& c) {
  std::int64_t fresh_ms = c.fresh_snapshot_timeout.count();
  auto help_burst = static_cast<std::int64_t>(c.help_limits.burst);
  auto help_per_hour = static_cast<std::int64_t>(c.help_limits.per_hour);
  for (auto step : {r.allow_only({"fresh_snapshot_timeout_ms", "help_request_burst",
                                  "help_requests_per_hour", "help_requests_per_day"}),
                    r.read("fresh_snapshot_timeout_ms", fresh_ms, 100, 60'000),
                    r.read("help_request_burst", help_burst, 1, 10'000),
                    r.read("help_requests_per_hour", help_per_hour, 1, 100'000),
                    r.read("help_requests_per_day", c.help_limits.per_day, 1, 1'000'000)}) {
    if (!step) return step;
  }
  c.fresh_snapshot_timeout = std::chrono::milliseconds(fresh_ms);
  c.help_limits.burst = static_cast<double>(help_burst);
  c.help_limits.per_hour = static_cast<double>(help_per_hour);
  return {};
}

Result<void> read_probes(const TomlReader& r, CollectorConfig& c) {
  auto& p = c.probes;
  std::int64_t ttl_s = p.ttl.count();
  for (auto step : {r.allow_only({"viewers_may_run", "ttl_s", "per_device_per_minute"}),
                    r.read("viewers_may_run", p.viewers_may_run), r.read("ttl_s", ttl_s, 10, 3600),
                    r.read("per_device_per_minute", p.per_device_per_minute, 1, 600)}) {
    if (!step) return step;
  }
  p.ttl = std::chrono::seconds(ttl_s);
  return {};
}

Result<void> read_live(const TomlReader& r, CollectorConfig& c) {
  auto& l = c.live;
  std::int64_t max_minutes = l.max_length.count();
  for (auto step : {r.allow_only({"max_sessions", "max_minutes"}),
                    r.read("max_sessions", l.max_sessions, 1, 10'000),
                    r.read("max_minutes", max_minutes, 10, 24 * 60)}) {
    if (!step) return step;
  }
  l.max_length = std::chrono::minutes(max_minutes);
  return {};
}

Result<void> read_retention(const TomlReader& r, CollectorConfig& c) {
  std::int64_t delta_days = c.retention.keep_deltas.count() / 24;
  std::int64_t metric_days = c.retention.keep_metric_points.count() / 24;
  std::int64_t interval_min = c.retention.interval.count();
  for (auto step :
       {r.allow_only({"delta_days", "metric_days", "interval_minutes"}),
        r.read("delta_days", delta_days, 1, 36'500), r.read("metric_days", metric_days, 1, 36'500),
        r.read("interval_minutes", interval_min, 1, 7 * 24 * 60)}) {
    if (!step) return step;
  }
  c.retention.keep_deltas = std::chrono::hours(24 * delta_days);
  c.retention.keep_metric_points = std::chrono::hours(24 * metric_days);
  c.retention.interval = std::chrono::minutes(interval_min);
  return {};
}

Result<void> read_storage(const TomlReader& r, CollectorConfig& c) {
  for (auto step : {r.allow_only({"backend", "url"}), r.read("backend", c.storage.backend),
                    r.read("url", c.storage.url)}) {
    if (!step) return step;
  }
  if (c.storage.backend != "sqlite" && c.storage.backend != "postgres") {
    return r.error("backend", "`" + c.storage.backend +
                                  "` is not a storage backend (known: sqlite, postgres)");
  }
  if (c.storage.backend == "postgres" && c.storage.url.empty()) {
    return r.error("url",
                   "backend `postgres` needs the database's url (a libpq connection string or "
                   "postgres:// URL)");
  }
  if (c.storage.backend == "sqlite" && !c.storage.url.empty()) {
    return r.error("url",
                   "only the `postgres` backend takes a url (SQLite keeps collector.db in the "
                   "data directory)");
  }
  return {};
}

Result<void> read_cluster(const TomlReader& r, CollectorConfig& c) {
  std::int64_t lease_ms = c.cluster.lease.count();
  std::int64_t renew_ms = c.cluster.renew_interval.count();
  for (auto step : {r.allow_only({"node", "lease_ms", "renew_interval_ms"}),
                    r.read("node", c.cluster.node), r.read("lease_ms", lease_ms, 1000, 600'000),
                    r.read("renew_interval_ms", renew_ms, 100, 300'000)}) {
    if (!step) return step;
  }
  if (renew_ms >= lease_ms) {
    return r.error("renew_interval_ms", "must be shorter than `cluster.lease_ms`");
  }
  c.cluster.lease = std::chrono::milliseconds(lease_ms);
  c.cluster.renew_interval = std::chrono::milliseconds(renew_ms);
  return {};
}

Result<void> read_actions(const TomlReader& r, CollectorConfig& c) {
  auto& o = c.orders;
  std::int64_t ttl_s = o.order_ttl.count(), approval_h = o.approval_ttl.count() / 3600;
  std::int64_t skew_s = o.clock_skew.count(), sweep_ms = o.sweep_interval.count();
  for (auto step : {r.allow_only({"dir", "order_ttl_s", "approval_ttl_hours",
                                  "max_queued_per_device", "clock_skew_s", "sweep_interval_ms"}),
                    r.read("dir", c.actions_dir), r.read("order_ttl_s", ttl_s, 2, 86400),
                    r.read("approval_ttl_hours", approval_h, 1, 24 * 30),
                    r.read("max_queued_per_device", o.max_queued_per_device, 1, 1000),
                    r.read("clock_skew_s", skew_s, 0, 3600),
                    r.read("sweep_interval_ms", sweep_ms, 100, 600'000)}) {
    if (!step) return step;
  }
  o.order_ttl = std::chrono::seconds(ttl_s);
  o.approval_ttl = std::chrono::hours(approval_h);
  o.clock_skew = std::chrono::seconds(skew_s);
  o.sweep_interval = std::chrono::milliseconds(sweep_ms);
  return {};
}

Result<void> read_outbox(const TomlReader& r, CollectorConfig& c) {
  auto& o = c.outbox;
  std::int64_t base_ms = o.retry.base.count();
  std::int64_t cap_ms = o.retry.cap.count();
  std::int64_t age_h = std::chrono::duration_cast<std::chrono::hours>(o.retry.max_age).count();
  std::int64_t poll_ms = o.poll_interval.count();
  std::int64_t retention_d = o.retention.count() / 24;
  for (auto step :
       {r.allow_only({"workers", "retry_base_ms", "retry_cap_ms", "max_attempts", "max_age_hours",
                      "poll_interval_ms", "retention_days"}),
        r.read("workers", o.workers, 1, 16), r.read("retry_base_ms", base_ms, 10, 3'600'000),
        r.read("retry_cap_ms", cap_ms, 10, 86'400'000),
        r.read("max_attempts", o.retry.max_attempts, 1, 1000),
        r.read("max_age_hours", age_h, 1, 24 * 30),
        r.read("poll_interval_ms", poll_ms, 50, 600'000),
        r.read("retention_days", retention_d, 1, 3650)}) {
    if (!step) return step;
  }
  o.retry.base = std::chrono::milliseconds(base_ms);
  o.retry.cap = std::chrono::milliseconds(std::max(cap_ms, base_ms));
  o.retry.max_age = std::chrono::hours(age_h);
  o.poll_interval = std::chrono::milliseconds(poll_ms);
  o.retention = std::chrono::hours(retention_d * 24);
  return {};
}

Result<void> read_webhooks(const TomlReader& r, CollectorConfig& c) {
  auto& w = c.webhooks;
  std::int64_t connect_ms = w.connect_timeout.count();
  std::int64_t request_ms = w.request_timeout.count();
  for (auto step : {r.allow_only({"extra_ca_file", "connect_timeout_ms", "request_timeout_ms",
                                  "max_response_bytes"}),
                    r.read("extra_ca_file", c.webhook_extra_ca_file),
                    r.read("connect_timeout_ms", connect_ms, 100, 60'000),
                    r.read("request_timeout_ms", request_ms, 100, 120'000),
                    r.read("max_response_bytes", w.max_response_bytes, 1024, 16 * 1024 * 1024)}) {
    if (!step) return step;
  }
  w.connect_timeout = std::chrono::milliseconds(connect_ms);
  w.request_timeout = std::chrono::milliseconds(std::max(request_ms, connect_ms));
  return {};
}

Result<void> read_rt(const TomlReader& r, CollectorConfig& c) {
  auto& rt = c.rt;
  std::int64_t connect_ms = rt.connect_timeout.count();
  std::int64_t request_ms = rt.request_timeout.count();
  std::int64_t poll_ms = c.rt_status_poll_interval.count();
  for (auto step : {r.allow_only({"connect_timeout_ms", "request_timeout_ms", "max_response_bytes",
                                  "status_poll_interval_ms"}),
                    r.read("connect_timeout_ms", connect_ms, 100, 60'000),
                    r.read("request_timeout_ms", request_ms, 100, 300'000),
                    r.read("max_response_bytes", rt.max_response_bytes, 1024, 64 * 1024 * 1024),
                    r.read("status_poll_interval_ms", poll_ms, 100, 86'400'000)}) {
    if (!step) return step;
  }
  rt.connect_timeout = std::chrono::milliseconds(connect_ms);
  rt.request_timeout = std::chrono::milliseconds(std::max(request_ms, connect_ms));
  c.rt_status_poll_interval = std::chrono::milliseconds(poll_ms);
  return {};
}

}  // namespace

Result<CollectorConfig> load_collector_config(const std::filesystem::path& path,
                                              CollectorConfig c) {
  auto root = parse_toml_file(path, "config " + path.string());
  if (!root) return tl::unexpected(root.error());
  const TomlReader top(*root);
  if (auto r = read_top(top, c); !r) return fail(path.string(), r.error());
  // In this order, so that of two mistakes the same one is named first every time.
  const std::pair<std::string_view, Section> sections[] = {
      {"limits", read_limits},     {"agents", read_agents},
      {"api", read_api},           {"auth", read_auth},
      {"metrics", read_metrics},   {"threads", read_threads},
      {"log", read_log},           {"sla", read_sla},
      {"tickets", read_tickets},   {"retention", read_retention},
      {"storage", read_storage},   {"cluster", read_cluster},
      {"actions", read_actions},   {"outbox", read_outbox},
      {"webhooks", read_webhooks}, {"rt", read_rt},
      {"probes", read_probes},     {"staff_tls", read_staff_tls},
      {"live", read_live}};
  for (const auto& [name, read] : sections) {
    auto table = top.section(name);
    if (!table) return fail(path.string(), table.error());
    if (*table == nullptr) continue;
    if (auto r = read(top.nested(**table, name), c); !r) return fail(path.string(), r.error());
  }
  // A delivery never takes longer than its timeouts; a lease beyond them is never stolen. An
  // RT delivery makes up to three calls (the idempotency check reads two pages).
  c.outbox.lease =
      std::max(c.webhooks.connect_timeout + c.webhooks.request_timeout,
               std::chrono::duration_cast<std::chrono::milliseconds>(3 * c.rt.request_timeout)) +
      std::chrono::seconds(10);
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
