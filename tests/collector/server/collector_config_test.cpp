#include <fstream>

#include <catch2/catch.hpp>

#include "collector/server/collector_config.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage::collector;

namespace {

triage::Result<CollectorConfig> load(const std::string& text) {
  triage::testing::TempDir dir;
  auto path = dir.path() / "c.toml";
  std::ofstream(path) << text;
  return load_collector_config(path);
}

}  // namespace

TEST_CASE("config values override the defaults") {
  auto c = load(
      "listen = \"0.0.0.0:9443\"\n[limits]\nhandshake_timeout_ms = 2500\n"
      "[agents]\nheartbeat_interval_s = 30\n");
  REQUIRE(c);
  CHECK(c->listen == "0.0.0.0:9443");
  CHECK(c->handshake_timeout.count() == 2500);
  CHECK(c->heartbeat_interval_s == 30);
  CHECK(c->report_interval_s == 900);
}

TEST_CASE("the bound on concurrent TLS handshakes is 64 by default, configurable, 0 for none") {
  auto defaults = load("");
  REQUIRE(defaults);
  CHECK(defaults->max_concurrent_handshakes == 64);
  auto set = load("[limits]\nmax_concurrent_handshakes = 8\n");
  REQUIRE(set);
  CHECK(set->max_concurrent_handshakes == 8);
  auto none = load("[limits]\nmax_concurrent_handshakes = 0\n");
  REQUIRE(none);
  CHECK(none->max_concurrent_handshakes == 0);
  auto negative = load("[limits]\nmax_concurrent_handshakes = -1\n");
  REQUIRE_FALSE(negative);
  CHECK_THAT(negative.error().message, Catch::Contains("limits.max_concurrent_handshakes"));
}

TEST_CASE("large agent messages: 64 read at once within 60 s by default, both configurable") {
  auto defaults = load("");
  REQUIRE(defaults);
  CHECK(defaults->max_concurrent_large_messages == 64);
  CHECK(defaults->large_message_timeout == std::chrono::seconds(60));
  auto set = load("[limits]\nmax_concurrent_large_messages = 0\nlarge_message_timeout_s = 5\n");
  REQUIRE(set);
  CHECK(set->max_concurrent_large_messages == 0);
  CHECK(set->large_message_timeout == std::chrono::seconds(5));
  auto zero = load("[limits]\nlarge_message_timeout_s = 0\n");
  REQUIRE_FALSE(zero);
  CHECK_THAT(zero.error().message, Catch::Contains("limits.large_message_timeout_s"));
}

TEST_CASE("the ingest queue holds 128 MiB of reports by default, configurable") {
  auto defaults = load("");
  REQUIRE(defaults);
  CHECK(defaults->ingest_queue_bytes == 128u * 1024 * 1024);
  auto set = load("[limits]\ningest_queue_bytes = 16777216\n");
  REQUIRE(set);
  CHECK(set->ingest_queue_bytes == 16u * 1024 * 1024);
  auto zero = load("[limits]\ningest_queue_bytes = 0\n");
  REQUIRE_FALSE(zero);
  CHECK_THAT(zero.error().message, Catch::Contains("limits.ingest_queue_bytes"));
}

TEST_CASE("staff_listen is read from the top level") {
  auto c = load("staff_listen = \"127.0.0.1:8444\"\n");
  REQUIRE(c);
  CHECK(c->staff_listen == "127.0.0.1:8444");
  CHECK(load("")->staff_listen.empty());
}

TEST_CASE("config errors name the key and the line") {
  auto typo = load("\n\n[limits]\nhandshake_timout_ms = 5\n");
  REQUIRE_FALSE(typo);
  CHECK_THAT(typo.error().message,
             Catch::Contains("limits.handshake_timout_ms") && Catch::Contains("line 4"));
  auto wrong_type = load("[agents]\nheartbeat_interval_s = \"often\"\n");
  REQUIRE_FALSE(wrong_type);
  CHECK_THAT(wrong_type.error().message,
             Catch::Contains("agents.heartbeat_interval_s") && Catch::Contains("line 2"));
  // A float is not an integer, even a whole one; a huge one was converted before (UB).
  for (const char* value : {"30.0", "6.6e56"}) {
    auto as_float = load(std::string("[agents]\nheartbeat_interval_s = ") + value + "\n");
    REQUIRE_FALSE(as_float);
    CHECK_THAT(as_float.error().message, Catch::Contains("agents.heartbeat_interval_s"));
  }
  auto syntax = load("listen = \n");
  REQUIRE_FALSE(syntax);
  CHECK_THAT(syntax.error().message, Catch::Contains("line 1"));
}

TEST_CASE("the [auth] section sets lockout and per-client login throttling") {
  auto defaults = load("");
  REQUIRE(defaults);
  CHECK(defaults->login.lockout.max_failures == 5);
  CHECK(defaults->login.lockout.lockout.count() == 900);
  auto c = load(
      "[auth]\nlockout_failures = 3\nlockout_seconds = 2\nlockout_max_seconds = 60\n"
      "client_failure_burst = 7\nclient_failures_per_minute = 30\n");
  REQUIRE(c);
  CHECK(c->login.lockout.max_failures == 3);
  CHECK(c->login.lockout.lockout.count() == 2);
  CHECK(c->login.lockout.max_lockout.count() == 60);
  CHECK(c->login.per_client.burst == 7);
  CHECK(c->login.per_client.per_minute == 30);
  auto zero = load("[auth]\nlockout_failures = 0\n");
  REQUIRE_FALSE(zero);
  CHECK_THAT(zero.error().message, Catch::Contains("auth.lockout_failures"));
  auto unknown = load("[auth]\nlockout_minutes = 5\n");
  REQUIRE_FALSE(unknown);
  CHECK_THAT(unknown.error().message, Catch::Contains("auth.lockout_minutes"));
}

TEST_CASE("listen addresses split into host and port") {
  CHECK(split_listen_address("127.0.0.1:8443").value() ==
        std::make_pair(std::string("127.0.0.1"), std::uint16_t{8443}));
  CHECK(split_listen_address("[::1]:0").value().first == "::1");
  CHECK_FALSE(split_listen_address("127.0.0.1"));
  CHECK_FALSE(split_listen_address("host:70000"));
}

TEST_CASE("the [retention] section sets how long deltas and metric points are kept") {
  auto defaults = load("");
  REQUIRE(defaults);
  CHECK(defaults->retention.keep_deltas == std::chrono::hours(24 * 90));
  CHECK(defaults->retention.keep_metric_points == std::chrono::hours(24 * 365));
  CHECK(defaults->retention.interval == std::chrono::minutes(60));
  auto c = load("[retention]\ndelta_days = 30\nmetric_days = 7\ninterval_minutes = 5\n");
  REQUIRE(c);
  CHECK(c->retention.keep_deltas == std::chrono::hours(24 * 30));
  CHECK(c->retention.keep_metric_points == std::chrono::hours(24 * 7));
  CHECK(c->retention.interval == std::chrono::minutes(5));
  auto zero = load("[retention]\ndelta_days = 0\n");
  REQUIRE_FALSE(zero);
  CHECK_THAT(zero.error().message, Catch::Contains("retention.delta_days"));
  auto typo = load("[retention]\ndeltas_days = 3\n");
  REQUIRE_FALSE(typo);
  CHECK_THAT(typo.error().message, Catch::Contains("retention.deltas_days"));
}

TEST_CASE("the [outbox] and [webhooks] sections tune deliveries") {
  using namespace std::chrono_literals;
  auto defaults = load("");
  REQUIRE(defaults);
  CHECK(defaults->outbox.workers == 2);
  CHECK(defaults->outbox.retry.base == 30s);
  CHECK(defaults->outbox.retry.cap == 1h);
  CHECK(defaults->outbox.retry.max_attempts == 20);
  CHECK(defaults->outbox.retry.max_age == 24h);
  CHECK(defaults->webhooks.connect_timeout == 5s);
  CHECK(defaults->webhooks.request_timeout == 10s);
  CHECK(defaults->webhook_extra_ca_file.empty());
  // The lease outlasts any delivery.
  CHECK(defaults->outbox.lease >
        defaults->webhooks.connect_timeout + defaults->webhooks.request_timeout);

  auto c = load(
      "[outbox]\nworkers = 4\nretry_base_ms = 100\nretry_cap_ms = 50\nmax_attempts = 3\n"
      "max_age_hours = 2\npoll_interval_ms = 250\nretention_days = 7\n"
      "[webhooks]\nextra_ca_file = \"/etc/triage/private-ca.pem\"\nconnect_timeout_ms = 800\n"
      "request_timeout_ms = 3000\nmax_response_bytes = 4096\n");
  REQUIRE(c);
  CHECK(c->outbox.workers == 4);
  CHECK(c->outbox.retry.base == 100ms);
  CHECK(c->outbox.retry.cap == 100ms);  // never below the base
  CHECK(c->outbox.retry.max_attempts == 3);
  CHECK(c->outbox.retry.max_age == 2h);
  CHECK(c->outbox.poll_interval == 250ms);
  CHECK(c->outbox.retention == 7 * 24h);
  CHECK(c->webhook_extra_ca_file == "/etc/triage/private-ca.pem");
  CHECK(c->webhooks.connect_timeout == 800ms);
  CHECK(c->webhooks.request_timeout == 3s);
  CHECK(c->webhooks.max_response_bytes == 4096);

  auto typo = load("[webhooks]\nextra_ca = \"x\"\n");
  REQUIRE_FALSE(typo);
  CHECK_THAT(typo.error().message, Catch::Contains("webhooks.extra_ca"));
  auto range = load("[outbox]\nworkers = 0\n");
  REQUIRE_FALSE(range);
  CHECK_THAT(range.error().message, Catch::Contains("outbox.workers"));
}

TEST_CASE("connection limits: hello deadline, per-address cap, keep-alive bounds, agent port") {
  auto defaults = load("");
  REQUIRE(defaults);
  CHECK(defaults->hello_timeout.count() == 10'000);
  CHECK(defaults->max_unauthenticated_per_address == 64);
  CHECK(defaults->per_address_exempt.empty());
  CHECK(defaults->http_max_requests_per_connection == 100);
  CHECK(defaults->http_connection_max_age.count() == 300);
  CHECK(defaults->agent_port_serves_api);
  CHECK(defaults->metrics_token_file.empty());
  auto set = load(
      "agent_port_serves_api = false\n"
      "[limits]\nhello_timeout_ms = 2000\nmax_unauthenticated_per_address = 0\n"
      "per_address_exempt = [\"10.0.0.9\", \"::1\"]\nhttp_max_requests_per_connection = 5\n"
      "http_connection_max_s = 60\n[metrics]\ntoken_file = \"/etc/triage/metrics.token\"\n");
  REQUIRE(set);
  CHECK(set->hello_timeout.count() == 2000);
  CHECK(set->max_unauthenticated_per_address == 0);
  CHECK(set->per_address_exempt == std::vector<std::string>{"10.0.0.9", "::1"});
  CHECK(set->http_max_requests_per_connection == 5);
  CHECK(set->http_connection_max_age.count() == 60);
  CHECK_FALSE(set->agent_port_serves_api);
  CHECK(set->metrics_token_file == "/etc/triage/metrics.token");
  auto not_bool = load("agent_port_serves_api = \"no\"\n");
  REQUIRE_FALSE(not_bool);
  CHECK_THAT(not_bool.error().message, Catch::Contains("agent_port_serves_api"));
  auto not_list = load("[limits]\nper_address_exempt = \"10.0.0.9\"\n");
  REQUIRE_FALSE(not_list);
  CHECK_THAT(not_list.error().message, Catch::Contains("limits.per_address_exempt"));
}

TEST_CASE("help request limits per device are configurable under [tickets]") {
  auto defaults = load("");
  REQUIRE(defaults);
  CHECK(defaults->help_limits.per_day == 30);
  auto set = load(
      "[tickets]\nhelp_request_burst = 2\nhelp_requests_per_hour = 4\nhelp_requests_per_day = 8\n");
  REQUIRE(set);
  CHECK(set->help_limits.burst == 2);
  CHECK(set->help_limits.per_hour == 4);
  CHECK(set->help_limits.per_day == 8);
}

TEST_CASE("[storage] backend is sqlite by default and names only a known backend") {
  auto defaults = load("");
  REQUIRE(defaults);
  CHECK(defaults->storage.backend == "sqlite");
  auto explicit_sqlite = load("[storage]\nbackend = \"sqlite\"\n");
  REQUIRE(explicit_sqlite);
  CHECK(explicit_sqlite->storage.backend == "sqlite");
  auto unknown = load("[storage]\nbackend = \"oracle\"\n");
  REQUIRE_FALSE(unknown);
  CHECK_THAT(unknown.error().message, Catch::Contains("storage.backend"));
  auto typo = load("[storage]\nbakend = \"sqlite\"\n");
  REQUIRE_FALSE(typo);
  CHECK_THAT(typo.error().message, Catch::Contains("storage.bakend"));
}

TEST_CASE("[storage] backend postgres takes the database's url and needs one") {
  auto postgres =
      load("[storage]\nbackend = \"postgres\"\nurl = \"postgres://triage@db/triage\"\n");
  REQUIRE(postgres);
  CHECK(postgres->storage.backend == "postgres");
  CHECK(postgres->storage.url == "postgres://triage@db/triage");
  auto no_url = load("[storage]\nbackend = \"postgres\"\n");
  REQUIRE_FALSE(no_url);
  CHECK_THAT(no_url.error().message, Catch::Contains("storage.url"));
  // A url with SQLite would be silently ignored: refused instead.
  auto sqlite_url = load("[storage]\nurl = \"postgres://triage@db/triage\"\n");
  REQUIRE_FALSE(sqlite_url);
  CHECK_THAT(sqlite_url.error().message, Catch::Contains("storage.url"));
}

TEST_CASE("a section written as a value is refused, not silently ignored") {
  // `limits = 5` left every [limits] key at its default without a word.
  auto value = load("limits = 5\n");
  REQUIRE_FALSE(value);
  CHECK_THAT(value.error().message,
             Catch::Contains("config key `limits` on line 1: expected a [section]"));
}

TEST_CASE("a number where true or false belongs is refused, as the agent refuses it") {
  // `agent_port_serves_api = 0` was read as false, `= 2` as true.
  for (const char* value : {"0", "2"}) {
    auto number = load(std::string("agent_port_serves_api = ") + value + "\n");
    INFO(value);
    REQUIRE_FALSE(number);
    CHECK_THAT(number.error().message, Catch::Contains("`agent_port_serves_api` on line 1") &&
                                           Catch::Contains("expected true or false"));
  }
  auto flag = load("agent_port_serves_api = false\n");
  REQUIRE(flag);
  CHECK_FALSE(flag->agent_port_serves_api);
}

TEST_CASE("[cluster] names the node and its lease, the renewal must come within the lease") {
  auto defaults = load("");
  REQUIRE(defaults);
  CHECK(defaults->cluster.node.empty());  // the host name
  CHECK(defaults->cluster.lease.count() == 15'000);
  CHECK(defaults->cluster.renew_interval.count() == 5'000);
  auto set = load("[cluster]\nnode = \"collector-2\"\nlease_ms = 6000\nrenew_interval_ms = 2000\n");
  REQUIRE(set);
  CHECK(set->cluster.node == "collector-2");
  CHECK(set->cluster.lease.count() == 6000);
  CHECK(set->cluster.renew_interval.count() == 2000);
  auto late = load("[cluster]\nlease_ms = 5000\nrenew_interval_ms = 5000\n");
  REQUIRE_FALSE(late);
  CHECK_THAT(late.error().message, Catch::Contains("cluster.renew_interval_ms"));
  auto typo = load("[cluster]\nname = \"x\"\n");
  REQUIRE_FALSE(typo);
  CHECK_THAT(typo.error().message, Catch::Contains("cluster.name"));
}

TEST_CASE("the [staff_tls] section takes a certificate and a key together") {
  auto both =
      load("[staff_tls]\ncertificate = \"/etc/triage/site.pem\"\nkey = \"/etc/triage/site.key\"\n");
  REQUIRE(both);
  CHECK(both->staff_tls.configured());
  CHECK(both->staff_tls.certificate == "/etc/triage/site.pem");
  CHECK(both->staff_tls.key == "/etc/triage/site.key");
  CHECK_FALSE(load("")->staff_tls.configured());
  auto alone = load("[staff_tls]\ncertificate = \"/etc/triage/site.pem\"\n");
  REQUIRE_FALSE(alone);
  CHECK_THAT(alone.error().message, Catch::Contains("staff_tls.key"));
  CHECK_THAT(alone.error().message, Catch::Contains("both"));
}

TEST_CASE("the [log] section: levels per subsystem, a rotated file, and names checked when read") {
  auto c = load(
      "[log]\nlevel = \"warn\"\nfile = \"/var/log/triage-collector/collector.log\"\n"
      "max_bytes = 1048576\nmax_files = 3\n[log.levels]\ningest = \"debug\"\ncluster = "
      "\"trace\"\n");
  INFO((c ? std::string() : c.error().message));
  REQUIRE(c);
  CHECK(c->log_level == "warn");
  CHECK(c->log_file.path == "/var/log/triage-collector/collector.log");
  CHECK(c->log_file.max_bytes == 1048576);
  CHECK(c->log_file.max_files == 3);
  CHECK(c->log_levels ==
        std::map<std::string, std::string>{{"cluster", "trace"}, {"ingest", "debug"}});

  auto unknown = load("[log.levels]\ningset = \"debug\"\n");
  REQUIRE_FALSE(unknown);
  CHECK_THAT(unknown.error().message, Catch::Contains("log.levels.ingset"));
  CHECK_THAT(unknown.error().message, Catch::Contains("integrations"));
  auto level = load("[log.levels]\ningest = \"loud\"\n");
  REQUIRE_FALSE(level);
  CHECK_THAT(level.error().message, Catch::Contains("log.levels.ingest"));
  auto top = load("[log]\nlevel = \"verbose\"\n");
  REQUIRE_FALSE(top);
  CHECK_THAT(top.error().message, Catch::Contains("log.level"));
  auto tiny = load("[log]\nmax_bytes = 100\n");
  REQUIRE_FALSE(tiny);
  CHECK_THAT(tiny.error().message, Catch::Contains("log.max_bytes"));
}
