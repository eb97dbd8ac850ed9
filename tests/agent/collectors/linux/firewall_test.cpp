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
