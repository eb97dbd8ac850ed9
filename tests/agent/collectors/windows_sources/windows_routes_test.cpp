// windows_routes: GetIpForwardTable2 joined with the adapters on both recorded machines, the
// default route by route plus interface metric, and what happens without a routing table.
#include <catch2/catch.hpp>

#include "tests/agent/collectors/windows_sources/network_test_support.hpp"

using namespace triage::agent;
namespace v1 = triage::v1;

namespace {

std::vector<std::string> route_lines(const v1::NetworkInfo& net) {
  std::vector<std::string> out;
  for (const auto& r : net.routes()) {
    out.push_back(r.destination() + " " + r.interface() + " " +
                  (r.gateway().empty() ? "on-link" : r.gateway()) + " " +
                  std::to_string(r.metric()) + (r.ipv6() ? " v6" : ""));
  }
  return out;
}

}  // namespace

TEST_CASE("windows_routes: the laptop leaves by Wi-Fi, the VPN carries 10/8",
          "[windows_routes][recorded][win11-laptop]") {
  auto snap = testing::recorded_collect("win11-laptop", "windows_routes");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  CHECK(snap.collectors(0).message().empty());
  const auto& net = snap.network();
  CHECK(net.default_gateway() == "172.20.14.1");
  CHECK(net.default_interface() == "Wi-Fi");
  CHECK(net.default_gateway_v6().empty());
  // No multicast, broadcast, loopback or on-link host routes; metric = route + interface.
  CHECK(route_lines(net) == std::vector<std::string>{
                                "0.0.0.0/0 Wi-Fi 172.20.14.1 25",
                                "10.0.0.0/8 Ethernet 2 10.250.33.1 2",
                                "10.250.33.0/24 Ethernet 2 on-link 257",
                                "172.20.14.0/23 Wi-Fi on-link 281",
                                "172.27.160.0/20 vEthernet (Default Switch) on-link 5256",
                                "198.51.100.25/32 Wi-Fi 172.20.14.1 26",
                                "fe80::/64 Wi-Fi on-link 281 v6",
                                "fe80::/64 Ethernet 2 on-link 257 v6",
                                "fe80::/64 vEthernet (Default Switch) on-link 5256 v6",
                            });
}

TEST_CASE("windows_routes: the server's static default route on the team",
          "[windows_routes][recorded][server2022]") {
  auto snap = testing::recorded_collect("server2022", "windows_routes");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& net = snap.network();
  CHECK(net.default_gateway() == "10.10.20.1");
  CHECK(net.default_interface() == "Team-LAN");
  CHECK(route_lines(net) == std::vector<std::string>{"0.0.0.0/0 Team-LAN 10.10.20.1 261",
                                                     "10.10.20.0/24 Team-LAN on-link 261",
                                                     "fe80::/64 Team-LAN on-link 261 v6"});
}

TEST_CASE("windows_routes: the lowest route plus interface metric wins, IPv6 too, only if up",
          "[windows_routes]") {
  testing::ScratchMachine m;
  m.write("api/adapters.json", R"({"adapters": [
      {"friendly_name": "Wi-Fi", "if_index": 18, "ipv6_if_index": 18, "oper_status": 1,
       "ipv4_metric": 35, "ipv6_metric": 35},
      {"friendly_name": "Ethernet", "if_index": 12, "ipv6_if_index": 12, "oper_status": 1,
       "ipv4_metric": 5, "ipv6_metric": 5},
      {"friendly_name": "Dock", "if_index": 14, "oper_status": 2, "ipv4_metric": 1}]})");
  m.write("api/routes.json", R"({"routes": [
      {"destination": "0.0.0.0", "prefix_length": 0, "next_hop": "192.168.1.1", "if_index": 18,
       "metric": 0},
      {"destination": "0.0.0.0", "prefix_length": 0, "next_hop": "10.0.0.1", "if_index": 12,
       "metric": 256},
      {"destination": "0.0.0.0", "prefix_length": 0, "next_hop": "10.9.0.1", "if_index": 14,
       "metric": 0},
      {"destination": "::", "prefix_length": 0, "next_hop": "fe80::1", "if_index": 18,
       "metric": 0},
      {"destination": "::", "prefix_length": 0, "next_hop": "fe80::2", "if_index": 12,
       "metric": 100}]})");
  auto snap = m.collect("windows_routes");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& net = snap.network();
  CHECK(net.default_gateway() == "192.168.1.1");  // 0 + 35 beats 256 + 5; the dock is down
  CHECK(net.default_interface() == "Wi-Fi");
  CHECK(net.default_gateway_v6() == "fe80::1");
  CHECK(net.routes_size() == 5);
}

TEST_CASE("windows_routes: without a routing table the adapters' gateways stand in",
          "[windows_routes][hostile]") {
  auto routes = GENERATE(as<std::string>{}, "", R"({"routes": "0.0.0.0/0"})", R"([])");
  CAPTURE(routes);
  testing::ScratchMachine m;
  m.copy("win11-laptop", "api/adapters.json");
  if (!routes.empty()) m.write("api/routes.json", routes);
  auto snap = m.collect("windows_routes");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  CHECK_THAT(snap.collectors(0).message(),
             Catch::Contains("default gateway from the adapters' gateways"));
  CHECK(snap.network().routes_size() == 0);
  CHECK(snap.network().default_gateway() == "172.20.14.1");
  CHECK(snap.network().default_interface() == "Wi-Fi");
}

TEST_CASE("windows_routes: hostile rows are skipped, a huge table is bounded",
          "[windows_routes][hostile]") {
  std::string routes = R"({"routes": [
      {"destination": "0.0.0.0", "prefix_length": 0, "next_hop": "10.0.0.1", "if_index": 99},
      {"destination": "10.0.0.0", "prefix_length": 40, "next_hop": "10.0.0.1", "if_index": 12},
      {"destination": "nonsense", "prefix_length": 8, "if_index": 12},
      {"destination": "10.0.0.0", "if_index": 12},
      {"destination": "10.2.0.0", "prefix_length": 16, "next_hop": "<b>", "if_index": 12,
       "metric": 4294967296999},
      "row", null, 7)";
  for (int i = 0; i < 1000; ++i) {
    routes += R"(, {"destination": "10.1.)" + std::to_string(i % 250) + R"(.0", "prefix_length": 24,
        "next_hop": "0.0.0.0", "if_index": 12, "metric": 256})";
  }
  routes += "]}";
  testing::ScratchMachine m;
  m.copy("win11-laptop", "api/adapters.json").write("api/routes.json", routes);
  auto snap = m.collect("windows_routes");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  CHECK_THAT(snap.collectors(0).message(), Catch::Contains("only the first 512 kept"));
  const auto& net = snap.network();
  CHECK(net.routes_size() <= 512);
  // The unknown interface 99 is not a route of this machine; the huge metric is capped.
  CHECK(net.default_gateway().empty());
  CHECK(net.routes(0).destination() == "10.2.0.0/16");
  CHECK(net.routes(0).gateway().empty());
  CHECK(net.routes(0).metric() == 1000025);
}

TEST_CASE("windows_routes: no adapters answer", "[windows_routes][hostile]") {
  testing::ScratchMachine m;
  m.copy("win11-laptop", "api/routes.json");
  auto snap = m.collect("windows_routes");
  CHECK(snap.collectors(0).outcome() == v1::CollectorStatus::FAILED);
  CHECK_THAT(snap.collectors(0).message(), Catch::Contains("reading the network adapters"));
}

TEST_CASE("windows_routes: the default interface is one of the adapters the findings describe",
          "[windows_routes][recorded]") {
  // The collector's network rules name the default interface with its state and Wi-Fi signal:
  // the whole catalog's snapshot must let them find it.
  auto [machine, interface_name, signal] = GENERATE(table<std::string, std::string, bool>(
      {{"win11-laptop", "Wi-Fi", true}, {"server2022", "Team-LAN", false}}));
  CAPTURE(machine);
  auto snap = testing::recorded_snapshot(machine);
  const auto& net = snap.network();
  REQUIRE(net.default_interface() == interface_name);
  int found = 0;
  for (const auto& i : net.interfaces()) {
    if (i.name() != net.default_interface()) continue;
    ++found;
    CHECK(i.state() == v1::NetworkInterface::UP);
    CHECK(i.has_wifi_signal_dbm() == signal);
  }
  CHECK(found == 1);
  CHECK(net.dns().nameservers_size() >= 2);
}
