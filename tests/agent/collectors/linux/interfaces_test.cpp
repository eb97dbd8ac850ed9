// The interfaces collector: kind, state, counters, addresses and Wi-Fi signal.
#include <catch2/catch.hpp>

#include "agent/collectors/linux/interfaces.hpp"
#include "tests/agent/collectors/fixture_support.hpp"
#include "tests/agent/collectors/linux/hostile_inputs.hpp"

using namespace triage::agent;
using testing::find_if;
namespace v1 = triage::v1;

TEST_CASE("interfaces: desktop Ethernet, bridge and loopback", "[interfaces][fixture][desktop]") {
  auto net = testing::fixture_collect("desktop", "interfaces").network();
  REQUIRE(net.interfaces_size() == 3);
  const auto* eth = find_if(net.interfaces(), [](auto& i) { return i.name() == "enp0s31f6"; });
  REQUIRE(eth);
  CHECK(eth->kind() == v1::NetworkInterface::ETHERNET);
  CHECK(eth->mac() == "8c:ec:4b:12:34:56");
  CHECK(eth->state() == v1::NetworkInterface::UP);
  CHECK(eth->carrier());
  CHECK(eth->speed_mbps() == 1000);
  CHECK(eth->mtu() == 1500);
  CHECK(eth->driver() == "e1000e");
  CHECK(eth->rx_errors() == 3);
  REQUIRE(eth->addresses_size() == 2);
  CHECK(eth->addresses(0).address() == "192.168.1.42");
  CHECK(eth->addresses(0).prefix_length() == 24);
  CHECK(eth->addresses(1).ipv6());
  CHECK(eth->addresses(1).scope() == "link");
  const auto* docker = find_if(net.interfaces(), [](auto& i) { return i.name() == "docker0"; });
  REQUIRE(docker);
  CHECK(docker->kind() == v1::NetworkInterface::BRIDGE);
  CHECK(docker->state() == v1::NetworkInterface::DOWN);
  CHECK_FALSE(docker->has_speed_mbps());
  CHECK(find_if(net.interfaces(), [](auto& i) { return i.name() == "lo"; })->kind() ==
        v1::NetworkInterface::LOOPBACK);
}

TEST_CASE("interfaces: laptop Wi-Fi and WireGuard", "[interfaces][fixture][laptop]") {
  auto net = testing::fixture_collect("laptop", "interfaces").network();
  const auto* wifi = find_if(net.interfaces(), [](auto& i) { return i.name() == "wlp0s20f3"; });
  REQUIRE(wifi);
  CHECK(wifi->kind() == v1::NetworkInterface::WIRELESS);
  CHECK(wifi->wifi_signal_dbm() == -67);
  CHECK(wifi->wifi_link_quality_percent() == Approx(61.43).epsilon(0.001));
  CHECK(wifi->driver() == "iwlwifi");
  CHECK(find_if(net.interfaces(), [](auto& i) { return i.name() == "wg0"; })->kind() ==
        v1::NetworkInterface::VPN);
}

TEST_CASE("interfaces: server port without a cable", "[interfaces][fixture][server]") {
  auto net = testing::fixture_collect("server-raid", "interfaces").network();
  const auto* eno2 = find_if(net.interfaces(), [](auto& i) { return i.name() == "eno2"; });
  REQUIRE(eno2);
  CHECK_FALSE(eno2->carrier());
  CHECK_FALSE(eno2->has_speed_mbps());
}

TEST_CASE("interfaces: container veth", "[interfaces][fixture][container]") {
  auto net = testing::fixture_collect("container", "interfaces").network();
  CHECK(net.interfaces_size() == 2);
  CHECK(find_if(net.interfaces(), [](auto& i) { return i.name() == "eth0"; })->kind() ==
        v1::NetworkInterface::VIRTUAL);
}

TEST_CASE("interfaces: the wireless parser survives hostile input",
          "[interfaces][parsers][robustness]") {
  for (const auto& input : testing::hostile_inputs()) (void)parse_proc_net_wireless(input);
  SUCCEED();
}

TEST_CASE("interfaces: a wireless level beyond any reading is skipped, not converted",
          "[interfaces][parsers][robustness]") {
  // Found by the proc_parsers fuzz target (UBSan): a level of 1e29 was cast to int.
  const auto links = parse_proc_net_wireless(
      "Inter-| sta-|   Quality        |   Discarded packets               | Missed | WE\n"
      " face | tus | link level noise |  nwid  crypt   frag  retry   misc | beacon | 22\n"
      " wlan0: 0000   1e29. 1e29.  -256        0      0      0      0      0        0\n"
      " wlan1: 0000   nan.  -50.  -256        0      0      0      0      0        0\n"
      " wlan2: 0000   60.  -50.  -256        0      0      0      0      0        0\n");
  REQUIRE(links.size() == 1);
  CHECK(links[0].interface == "wlan2");
  CHECK(links[0].signal_dbm == -50);
}
