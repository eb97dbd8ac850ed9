// The routes collector: the routing tables and the default gateways.
#include <catch2/catch.hpp>

#include "agent/collectors/linux/routes.hpp"
#include "tests/agent/collectors/fixture_support.hpp"
#include "tests/agent/collectors/linux/hostile_inputs.hpp"

using namespace triage::agent;
using testing::find_if;

TEST_CASE("routes: desktop gateways and routes", "[routes][fixture][desktop]") {
  auto net = testing::fixture_collect("desktop", "routes").network();
  CHECK(net.default_gateway() == "192.168.1.1");
  CHECK(net.default_interface() == "enp0s31f6");
  CHECK(net.default_gateway_v6() == "fe80::1");
  CHECK(find_if(net.routes(), [](auto& r) {
    return r.destination() == "192.168.1.0/24" && r.gateway().empty();
  }));
  CHECK(find_if(net.routes(), [](auto& r) {
    return r.destination() == "172.17.0.0/16" && r.interface() == "docker0";
  }));
  CHECK_FALSE(find_if(net.routes(), [](auto& r) { return r.interface() == "lo"; }));
}

TEST_CASE("routes: laptop and server gateways", "[routes][fixture]") {
  CHECK(testing::fixture_collect("laptop", "routes").network().default_gateway() == "192.168.0.1");
  CHECK(testing::fixture_collect("server-raid", "routes").network().default_gateway() ==
        "10.10.0.1");
}

TEST_CASE("routes: little-endian hex of /proc/net/route", "[routes][parsers]") {
  auto routes = parse_proc_net_route(
      "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
      "eth0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n");
  REQUIRE(routes.size() == 1);
  CHECK(routes[0].is_default);
  CHECK(routes[0].gateway == "192.168.1.1");
  CHECK(routes[0].interface == "eth0");
  CHECK(routes[0].metric == 100);
}

TEST_CASE("routes: the parsers survive hostile input", "[routes][parsers][robustness]") {
  for (const auto& input : testing::hostile_inputs()) {
    (void)parse_proc_net_route(input);
    (void)parse_proc_net_ipv6_route(input);
  }
  SUCCEED();
}
