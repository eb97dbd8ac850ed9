// The configuration files the packages install as conffiles (installers/linux/collector.toml
// and agent.toml): every key the collector or agent accepts is there, commented out, and
// uncommented they are all accepted.
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <catch2/catch.hpp>

#include "agent/service/agent_config.hpp"
#include "collector/server/collector_config.hpp"
#include "shared/util/files.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

std::string sample(const std::string& name) {
  auto text = triage::read_file(std::string(TRIAGE_SOURCE_DIR) + "/installers/linux/" + name);
  REQUIRE(text);
  return *text;
}

/// Every `# key = value` line made `key = value`; comments that are prose stay comments.
std::string uncommented(const std::string& text) {
  static const std::regex kKeyLine("^# ([a-z0-9_]+ = .*)$");
  std::istringstream in(text);
  std::string out;
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    out += (std::regex_match(line, m, kKeyLine) ? m[1].str() : line) + "\n";
  }
  return out;
}

/// The keys a refusal of an unknown key lists ("...; allowed: a, b, c").
std::vector<std::string> allowed_in(const std::string& refusal) {
  auto at = refusal.find("allowed: ");
  REQUIRE(at != std::string::npos);
  std::vector<std::string> keys;
  std::istringstream in(refusal.substr(at + 9));
  for (std::string key; std::getline(in, key, ',');) {
    while (!key.empty() && key.front() == ' ') key.erase(0, 1);
    keys.push_back(key);
  }
  return keys;
}

using Refusal = std::function<std::string(const std::string& section)>;

/// Checks that each key the loader allows (asked by refusing an unknown one per section) is in
/// the sample: a section as `[name]`, a key as `# name = ` inside its section.
void check_every_key_listed(const std::string& text, const Refusal& refuse) {
  std::map<std::string, std::set<std::string>> listed;  // section ("" = top) -> keys
  std::set<std::string> sections;
  static const std::regex kSection("^\\[([a-z_]+)\\]$");
  static const std::regex kKey("^# ([a-z0-9_]+) = .*$");
  std::istringstream in(text);
  std::string current;
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_match(line, m, kSection)) {
      current = m[1];
      sections.insert(current);
    } else if (std::regex_match(line, m, kKey)) {
      listed[current].insert(m[1]);
    }
  }
  for (const auto& top : allowed_in(refuse(""))) {
    INFO("top-level key " << top);
    if (sections.count(top) != 0) {
      for (const auto& key : allowed_in(refuse(top))) {
        INFO("key " << top << "." << key);
        CHECK(listed[top].count(key) == 1);
      }
    } else {
      CHECK(listed[""].count(top) == 1);
    }
  }
}

}  // namespace

TEST_CASE("Packaged collector.toml lists every key the collector accepts", "[packages]") {
  triage::testing::TempDir dir;
  const auto text = sample("collector.toml");
  check_every_key_listed(text, [&](const std::string& section) {
    const auto path = dir.path() / "probe.toml";
    std::ofstream(path) << (section.empty() ? "" : "[" + section + "]\n") << "zz_unknown = 1\n";
    auto config = triage::collector::load_collector_config(path);
    REQUIRE_FALSE(config.has_value());
    return config.error().message;
  });
}

TEST_CASE("Packaged collector.toml is accepted as shipped and with every key uncommented",
          "[packages]") {
  triage::testing::TempDir dir;
  const auto text = sample("collector.toml");
  const auto shipped = dir.path() / "shipped.toml";
  std::ofstream(shipped) << text;
  auto as_shipped = triage::collector::load_collector_config(shipped);
  REQUIRE(as_shipped.has_value());

  // The url belongs to the postgres backend only.
  auto all = uncommented(text);
  all = std::regex_replace(all, std::regex("backend = \"sqlite\""), "backend = \"postgres\"");
  const auto path = dir.path() / "all.toml";
  std::ofstream(path) << all;
  auto config = triage::collector::load_collector_config(path);
  INFO((config ? std::string() : config.error().message));
  REQUIRE(config.has_value());
  // The commented values are the defaults.
  const triage::collector::CollectorConfig defaults;
  CHECK(config->listen == defaults.listen);
  CHECK(config->ingest_queue_bytes == defaults.ingest_queue_bytes);
  CHECK(config->max_message_bytes == defaults.max_message_bytes);
  CHECK(config->sla.targets[2].resolve == defaults.sla.targets[2].resolve);
  CHECK(config->sla.targets[3].resolve == defaults.sla.targets[3].resolve);
  CHECK(config->orders.order_ttl == defaults.orders.order_ttl);
  CHECK(config->outbox.retry.cap == defaults.outbox.retry.cap);
  CHECK(config->outbox.retention == defaults.outbox.retention);
  CHECK(config->login.lockout.max_lockout == defaults.login.lockout.max_lockout);
  CHECK(config->rt_status_poll_interval == defaults.rt_status_poll_interval);
  CHECK(config->webhooks.max_response_bytes == defaults.webhooks.max_response_bytes);
}

TEST_CASE("Packaged agent.toml lists every key the agent accepts", "[packages]") {
  const auto text = sample("agent.toml");
  check_every_key_listed(text, [&](const std::string& section) {
    auto config = triage::agent::parse_agent_config(
        (section.empty() ? "" : "[" + section + "]\n") + "zz_unknown = 1\n", "probe");
    REQUIRE_FALSE(config.has_value());
    return config.error().message;
  });
}

TEST_CASE("Packaged agent.toml is accepted as shipped and with every key uncommented",
          "[packages]") {
  const auto text = sample("agent.toml");
  REQUIRE(triage::agent::parse_agent_config(text, "agent.toml").has_value());
  auto all = uncommented(text);
  // Where the site's own value belongs, a real one.
  all = std::regex_replace(all, std::regex("<triage-collector ca-fingerprint>"),
                           std::string(64, 'a'));
  auto config = triage::agent::parse_agent_config(all, "agent.toml");
  INFO((config ? std::string() : config.error().message));
  REQUIRE(config.has_value());
  const triage::agent::AgentConfig defaults;
  CHECK(config->report_interval == defaults.report_interval);
  CHECK(config->spool_max_bytes == defaults.spool_max_bytes);
  CHECK(config->ipc_group == defaults.ipc_group);
  CHECK(config->help_requests_per_hour == defaults.help_requests_per_hour);
  CHECK(config->policy.notice.delay == defaults.policy.notice.delay);
  CHECK(config->collector_ca_sha256 == std::string(64, 'a'));
}
