// The proxy collector: the agent's environment, /etc/environment and apt, credentials redacted.
#include <catch2/catch.hpp>

#include "agent/collectors/linux/proxy.hpp"
#include "tests/agent/collectors/fixture_support.hpp"
#include "tests/agent/collectors/linux/hostile_inputs.hpp"

using namespace triage::agent;

TEST_CASE("proxy: desktop settings from every source", "[proxy][fixture][desktop]") {
  auto net = testing::fixture_collect("desktop", "proxy").network();
  REQUIRE(net.proxies_size() == 4);
  CHECK(net.proxies(0).source() == "agent environment");
  CHECK(net.proxies(0).variable() == "https_proxy");
  CHECK(net.proxies(1).value() == "http://alice:[REDACTED]@proxy.corp.example.com:3128");
  CHECK(net.proxies(2).variable() == "no_proxy");
  CHECK(net.proxies(3).variable() == "Acquire::http::Proxy");
  CHECK(net.proxies(3).value() == "http://proxy.corp.example.com:3128");
}

TEST_CASE("proxy: the parsers survive hostile input", "[proxy][parsers][robustness]") {
  for (const auto& input : testing::hostile_inputs()) {
    (void)parse_environment_proxies(input);
    (void)parse_apt_proxies(input);
  }
  SUCCEED();
}
