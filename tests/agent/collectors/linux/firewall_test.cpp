// The firewall collector: front-ends, rule count and input policy.
#include <catch2/catch.hpp>

#include "agent/collectors/linux/firewall.hpp"
#include "tests/agent/collectors/fixture_support.hpp"
#include "tests/agent/collectors/linux/hostile_inputs.hpp"

using namespace triage::agent;

TEST_CASE("firewall: desktop ufw over nftables", "[firewall][fixture][desktop]") {
  auto sec = testing::fixture_collect("desktop", "firewall").security();
  CHECK(sec.firewall().active());
  CHECK(sec.firewall().rule_count() == 4);
  CHECK(sec.firewall().input_policy() == "drop");
  CHECK(std::vector<std::string>(sec.firewall().frontends().begin(),
                                 sec.firewall().frontends().end()) ==
        std::vector<std::string>{"ufw", "nftables"});
}

TEST_CASE("firewall: server iptables rules", "[firewall][fixture][server]") {
  auto sec = testing::fixture_collect("server-raid", "firewall").security();
  CHECK(sec.firewall().rule_count() == 4);
  CHECK(sec.firewall().input_policy() == "drop");
  CHECK(sec.firewall().active());
}

TEST_CASE("firewall: the ruleset parsers survive hostile input",
          "[firewall][parsers][robustness]") {
  for (const auto& input : testing::hostile_inputs()) {
    (void)parse_nft_json(input);
    (void)parse_iptables_save(input);
  }
  SUCCEED();
}

TEST_CASE("nft JSON with a field of the wrong type is read, not thrown on",
          "[firewall][parsers][robustness]") {
  // Found by the proc_parsers fuzz target: `"hook": []` made json::value() throw, which ended
  // the snapshot process.
  const auto s = parse_nft_json(
      R"({"nftables": [{"chain": {"family": "inet", "table": "filter", "name": "input",)"
      R"( "type": "filter", "hook": []}}, {"chain": {"hook": "input", "type": "filter",)"
      R"( "policy": 7}}, {"chain": {"hook": "input", "type": 1, "policy": "drop"}}]})");
  CHECK(s.valid);
  // A field of the wrong type counts as absent: the third chain is an input filter chain
  // that drops.
  CHECK(s.input_policy == "drop");
}
