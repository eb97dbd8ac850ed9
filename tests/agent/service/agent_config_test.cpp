// The agent config file: defaults, every section, and errors that name the key and line.

#include <catch2/catch.hpp>

#include "agent/service/agent_config.hpp"

using triage::agent::ActionRisk;
using triage::agent::parse_agent_config;

namespace {

std::string error_of(const std::string& text) {
  auto r = parse_agent_config(text, "agent.toml");
  REQUIRE_FALSE(r);
  return r.error().message;
}

}  // namespace

TEST_CASE("an empty config gives the documented defaults") {
  auto c = parse_agent_config("", "agent.toml").value();
  CHECK(c.report_interval == std::chrono::seconds(900));
  CHECK_FALSE(c.report_interval_set);
  CHECK(c.heartbeat_interval == std::chrono::seconds(60));
  CHECK(c.spool_max_bytes == 64ull * 1024 * 1024);
  CHECK(c.log_level == "info");
  CHECK(c.ipc_group == "triage");
  // Default policy: low risk only.
  CHECK(c.policy.allows("flush-dns", ActionRisk::kLow));
  CHECK_FALSE(c.policy.allows("restart-network", ActionRisk::kMedium));
  CHECK_FALSE(c.policy.allows("reboot", ActionRisk::kHigh));
}

TEST_CASE("every section is read") {
  auto c = parse_agent_config(R"(
[collector]
url = "wss://collector.example.com:8443"
[schedule]
report_interval_s = 300
heartbeat_interval_s = 30
[categories]
disabled = ["software", "security"]
[probes]
enabled = true
dns_name = "example.com"
collector = false
[spool]
max_mb = 16
[log]
level = "debug"
format = "json"
[ipc]
socket = "/run/triage-agent/agent.sock"
group = "users"
help_requests_per_hour = 3
[policy]
max_risk = "medium"
allow = ["flush-dns", "restart-service"]
deny = ["reboot"]
)",
                              "agent.toml")
               .value();
  CHECK(c.collector_url == "wss://collector.example.com:8443");
  CHECK(c.report_interval == std::chrono::seconds(300));
  CHECK(c.report_interval_set);
  CHECK(c.heartbeat_interval == std::chrono::seconds(30));
  CHECK(c.disabled_categories == std::vector<std::string>{"software", "security"});
  CHECK(c.probe_dns_name == "example.com");
  CHECK_FALSE(c.probe_collector);
  CHECK(c.spool_max_bytes == 16ull * 1024 * 1024);
  CHECK(c.log_format == "json");
  CHECK(c.ipc_socket == "/run/triage-agent/agent.sock");
  CHECK(c.help_requests_per_hour == 3);
  CHECK(c.policy.allows("restart-service", ActionRisk::kMedium));
  CHECK_FALSE(c.policy.allows("clear-temp", ActionRisk::kLow));  // not in the allow list
  CHECK_FALSE(c.policy.allows("reboot", ActionRisk::kLow));      // denied by id
}

TEST_CASE("max_risk none refuses every action") {
  auto c = parse_agent_config("[policy]\nmax_risk = \"none\"\n", "agent.toml").value();
  CHECK_FALSE(c.policy.allows("flush-dns", ActionRisk::kLow));
}

TEST_CASE("allow_custom pins custom definitions by their SHA-256") {
  const std::string hex(64, 'A');
  auto c = parse_agent_config("[policy]\nallow_custom = [\"sha256:" + hex + "\"]\n", "agent.toml")
               .value();
  CHECK(c.policy.pins_custom(std::string(64, 'a')));  // compared in lower case
  CHECK_FALSE(c.policy.pins_custom(std::string(64, 'b')));
  CHECK_FALSE(parse_agent_config("", "agent.toml").value().policy.pins_custom(hex));
  CHECK_THAT(error_of("[policy]\nallow_custom = [\"echo-test\"]\n"),
             Catch::Contains("`policy.allow_custom` on line 2") && Catch::Contains("sha256:"));
}

TEST_CASE("config errors name the key and the line") {
  CHECK_THAT(error_of("[schedule]\nreport_interval_s = \"often\"\n"),
             Catch::Contains("`schedule.report_interval_s` on line 2") &&
                 Catch::Contains("expected an integer"));
  CHECK_THAT(error_of("[schedule]\n\nheartbeat_interval_s = 1\n"),
             Catch::Contains("`schedule.heartbeat_interval_s` on line 3") &&
                 Catch::Contains("from 5 to 3600"));
  CHECK_THAT(error_of("[spool]\nmax_mb = 0\n"), Catch::Contains("`spool.max_mb` on line 2"));
  CHECK_THAT(error_of("[log]\nlevel = \"loud\"\n"),
             Catch::Contains("`log.level` on line 2") && Catch::Contains("expected one of"));
  CHECK_THAT(error_of("[policy]\nmax_risk = \"extreme\"\n"),
             Catch::Contains("`policy.max_risk` on line 2"));
  CHECK_THAT(error_of("[policy]\nallow = [\"flush-dns\", \"rm -rf\"]\n"),
             Catch::Contains("`policy.allow` on line 2") && Catch::Contains("rm -rf"));
  CHECK_THAT(
      error_of("[categories]\ndisabled = [\"gpu\"]\n"),
      Catch::Contains("`categories.disabled` on line 2") && Catch::Contains("unknown category"));
  CHECK_THAT(error_of("[collector]\nurl = \"http://x\"\n"),
             Catch::Contains("`collector.url` on line 2") && Catch::Contains("wss://"));
  CHECK_THAT(error_of("[ipc]\nsocket = \"relative.sock\"\n"), Catch::Contains("`ipc.socket`"));
  CHECK_THAT(error_of("[probes]\nenabled = 1\n"),
             Catch::Contains("`probes.enabled` on line 2") && Catch::Contains("true or false"));
}

TEST_CASE("unknown keys and sections are errors") {
  CHECK_THAT(error_of("[schedule]\nreport_intervall_s = 60\n"),
             Catch::Contains("unknown config key `schedule.report_intervall_s` on line 2"));
  CHECK_THAT(error_of("\n\n[telemetry]\nx = 1\n"),
             Catch::Contains("unknown config key `telemetry` on line 3"));
  CHECK_THAT(error_of("spool = 5\n"),
             Catch::Contains("`spool` on line 1") && Catch::Contains("expected a [section]"));
}

TEST_CASE("TOML syntax errors carry the line") {
  CHECK_THAT(error_of("[log]\nlevel = \"info\n"), Catch::Contains("agent.toml line 2"));
}

TEST_CASE("a missing config file is a clear error") {
  auto r = triage::agent::load_agent_config("/nonexistent/agent.toml");
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message, Catch::Contains("/nonexistent/agent.toml"));
}

TEST_CASE("probe_policy switches probes off and bounds their rate") {
  auto c = parse_agent_config(R"(
[probe_policy]
disabled = ["disk_usage", "http_get"]
per_minute = 5
)",
                              "agent.toml")
               .value();
  CHECK_FALSE(c.probe_policy.allows("disk_usage"));
  CHECK_FALSE(c.probe_policy.allows("http_get"));
  CHECK(c.probe_policy.allows("reach"));
  CHECK(c.probe_policy.per_minute == 5);
  CHECK(parse_agent_config("", "agent.toml").value().probe_policy.allows("listening"));
  CHECK_THAT(error_of("[probe_policy]\ndisabled = [\"portscan\"]\n"),
             Catch::Contains("unknown probe"));
  CHECK_THAT(error_of("[probe_policy]\nper_minute = 0\n"), Catch::Contains("per_minute"));
}
