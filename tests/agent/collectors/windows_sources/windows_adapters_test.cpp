// windows_adapters: GetAdaptersAddresses (and the WLAN API) on both recorded machines, the kind
// of each adapter, and answers that are wrong, huge or missing.
#include <catch2/catch.hpp>

#include "agent/collectors/windows_sources/windows_adapters.hpp"
#include "tests/agent/collectors/windows_sources/network_test_support.hpp"

using namespace triage::agent;
namespace v1 = triage::v1;
using v1::NetworkInterface;

namespace {

const NetworkInterface& find(const v1::Snapshot& snap, const std::string& name) {
  for (const auto& i : snap.network().interfaces()) {
    if (i.name() == name) return i;
  }
  FAIL("no interface " << name);
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("windows_adapters: the laptop's Wi-Fi, VPN, Hyper-V switch and unplugged Ethernet",
          "[windows_adapters][recorded][win11-laptop]") {
  auto snap = testing::recorded_collect("win11-laptop", "windows_adapters");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  CHECK(snap.collectors(0).message().empty());
  const auto& net = snap.network();
  REQUIRE(net.interfaces_size() == 6);
  CHECK(net.interfaces(0).name() == "Ethernet");
  CHECK(net.interfaces(5).name() == "Loopback Pseudo-Interface 1");

  const auto& wifi = find(snap, "Wi-Fi");
  CHECK(wifi.description() == "Intel(R) Wi-Fi 6E AX211 160MHz");
  CHECK(wifi.kind() == NetworkInterface::WIRELESS);
  CHECK(wifi.mac() == "3c:21:9c:5e:8a:1f");
  CHECK(wifi.state() == NetworkInterface::UP);
  CHECK(wifi.carrier());
  CHECK(wifi.speed_mbps() == 866);
  CHECK(wifi.mtu() == 1500);
  REQUIRE(wifi.addresses_size() == 2);
  CHECK(wifi.addresses(0).address() == "fe80::8d3c:2a41:6b7e:91f2");
  CHECK(wifi.addresses(0).prefix_length() == 64);
  CHECK(wifi.addresses(0).ipv6());
  CHECK(wifi.addresses(0).scope() == "link");
  CHECK(wifi.addresses(1).address() == "172.20.14.57");
  CHECK(wifi.addresses(1).prefix_length() == 23);
  CHECK_FALSE(wifi.addresses(1).ipv6());
  CHECK(wifi.addresses(1).scope() == "global");
  CHECK(testing::strings(wifi.gateways()) == std::vector<std::string>{"172.20.14.1"});
  CHECK(testing::strings(wifi.dns_servers()) ==
        std::vector<std::string>{"172.20.0.53", "172.20.0.54"});
  CHECK(wifi.dns_suffix() == "wlan.corp.example.com");
  CHECK(wifi.dhcp());
  // From the WLAN API, merged by interface GUID.
  CHECK(wifi.wifi_ssid() == "CORP-WLAN");
  CHECK(wifi.wifi_band() == "5 GHz");
  CHECK(wifi.wifi_link_quality_percent() == Approx(78));
  CHECK(wifi.wifi_signal_dbm() == -60);

  const auto& ethernet = find(snap, "Ethernet");
  CHECK(ethernet.description() == "Intel(R) Ethernet Connection (16) I219-LM");
  CHECK(ethernet.kind() == NetworkInterface::ETHERNET);
  CHECK(ethernet.state() == NetworkInterface::DOWN);
  REQUIRE(ethernet.has_carrier());
  CHECK_FALSE(ethernet.carrier());
  CHECK_FALSE(ethernet.has_speed_mbps());
  CHECK(ethernet.addresses_size() == 0);
  CHECK(ethernet.dns_servers_size() == 3);  // the site-local defaults, as Windows shows them
  CHECK_FALSE(ethernet.has_wifi_signal_dbm());
  CHECK(ethernet.wifi_ssid().empty());

  const auto& vpn = find(snap, "Ethernet 2");
  CHECK(vpn.kind() == NetworkInterface::VPN);
  CHECK(vpn.description().starts_with("Cisco AnyConnect"));
  CHECK(vpn.state() == NetworkInterface::UP);
  CHECK(vpn.mac() == "00:05:9a:3c:7a:00");
  CHECK(vpn.speed_mbps() == 995);
  CHECK(vpn.mtu() == 1300);
  CHECK(vpn.addresses(1).address() == "10.250.33.17");
  CHECK(vpn.gateways_size() == 0);  // split tunnel: routes, no gateway
  CHECK(vpn.dns_servers(0) == "10.1.0.10");
  CHECK(vpn.dns_suffix() == "corp.example.com");
  CHECK_FALSE(vpn.dhcp());

  const auto& hyperv = find(snap, "vEthernet (Default Switch)");
  CHECK(hyperv.kind() == NetworkInterface::VIRTUAL);
  CHECK(hyperv.speed_mbps() == 10000);
  CHECK(hyperv.addresses(1).address() == "172.27.160.1");
  CHECK(hyperv.addresses(1).prefix_length() == 20);

  const auto& direct = find(snap, "Local Area Connection* 1");
  CHECK(direct.kind() == NetworkInterface::VIRTUAL);
  CHECK(direct.state() == NetworkInterface::DOWN);

  const auto& loopback = find(snap, "Loopback Pseudo-Interface 1");
  CHECK(loopback.kind() == NetworkInterface::LOOPBACK);
  CHECK(loopback.mac().empty());
  CHECK(loopback.mtu() == 0);  // 0xFFFFFFFF: no limit
  CHECK(loopback.speed_mbps() == 1073);
  CHECK(loopback.addresses(0).scope() == "host");
  CHECK(loopback.addresses(1).scope() == "host");
}

TEST_CASE("windows_adapters: the server's NIC team, its members and the unused LOM",
          "[windows_adapters][recorded][server2022]") {
  auto snap = testing::recorded_collect("server2022", "windows_adapters");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  // No WLAN service on a server: a note, not a failure.
  CHECK(snap.collectors(0).message() ==
        "no WLAN service: wlanapi.dll not present (the Wireless LAN Service feature is not "
        "installed)");
  const auto& net = snap.network();
  REQUIRE(net.interfaces_size() == 5);

  const auto& team = find(snap, "Team-LAN");
  CHECK(team.description() == "Microsoft Network Adapter Multiplexor Driver");
  CHECK(team.kind() == NetworkInterface::VIRTUAL);
  CHECK(team.state() == NetworkInterface::UP);
  CHECK(team.speed_mbps() == 20000);
  CHECK(team.mac() == "bc:97:e1:5a:40:d0");
  REQUIRE(team.addresses_size() == 2);
  CHECK(team.addresses(1).address() == "10.10.20.15");
  CHECK(team.addresses(1).prefix_length() == 24);
  CHECK(testing::strings(team.gateways()) == std::vector<std::string>{"10.10.20.1"});
  CHECK(team.dns_servers_size() == 2);
  CHECK(team.dns_suffix().empty());
  CHECK_FALSE(team.dhcp());  // static addresses
  CHECK(team.wifi_ssid().empty());

  for (const std::string name : {"NIC1", "NIC2"}) {
    const auto& member = find(snap, name);
    CHECK(member.kind() == NetworkInterface::ETHERNET);
    CHECK(member.state() == NetworkInterface::UP);
    CHECK(member.speed_mbps() == 10000);
    CHECK(member.addresses_size() == 0);
  }
  CHECK(find(snap, "NIC2").description().ends_with("OCP 3.0 Adapter #2"));

  const auto& lom = find(snap, "Embedded LOM 1 Port 1");
  CHECK(lom.state() == NetworkInterface::DOWN);
  CHECK_FALSE(lom.has_speed_mbps());  // ULONG64_MAX: unknown
}

TEST_CASE("windows_adapters: the kind of an adapter", "[windows_adapters]") {
  auto [type, description, kind] =
      GENERATE(table<std::uint32_t, std::string, NetworkInterface::Kind>({
          {6, "Realtek PCIe GbE Family Controller", NetworkInterface::ETHERNET},
          {71, "Intel(R) Wi-Fi 6 AX201 160MHz", NetworkInterface::WIRELESS},
          {24, "Software Loopback Interface 1", NetworkInterface::LOOPBACK},
          {6, "Cisco AnyConnect Secure Mobility Client Virtual Miniport Adapter for Windows x64",
           NetworkInterface::VPN},
          {53, "WireGuard Tunnel", NetworkInterface::VPN},
          {6, "PANGP Virtual Ethernet Adapter Secure", NetworkInterface::VPN},
          {6, "TAP-Windows Adapter V9", NetworkInterface::VPN},
          {6, "Fortinet SSL VPN Virtual Ethernet Adapter", NetworkInterface::VPN},
          {23, "WAN Miniport (PPTP)", NetworkInterface::VPN},
          {131, "Some tunnel driver", NetworkInterface::VPN},
          {131, "Teredo Tunneling Pseudo-Interface", NetworkInterface::VIRTUAL},
          {6, "Hyper-V Virtual Ethernet Adapter #2", NetworkInterface::VIRTUAL},
          {6, "VirtualBox Host-Only Ethernet Adapter", NetworkInterface::VIRTUAL},
          {71, "Microsoft Wi-Fi Direct Virtual Adapter #2", NetworkInterface::VIRTUAL},
          {243, "Generic Mobile Broadband Adapter", NetworkInterface::CELLULAR},
          {1, "", NetworkInterface::KIND_UNKNOWN},
      }));
  CAPTURE(type, description);
  CHECK(adapter_kind(type, description) == kind);
}

TEST_CASE("windows_adapters: address scopes", "[windows_adapters]") {
  CHECK(address_scope("127.0.0.1") == "host");
  CHECK(address_scope("::1") == "host");
  CHECK(address_scope("169.254.12.7") == "link");
  CHECK(address_scope("fe80::1") == "link");
  CHECK(address_scope("febf::1") == "link");
  CHECK(address_scope("fec0::1") == "global");
  CHECK(address_scope("2001:db8::5") == "global");
  CHECK(address_scope("10.0.0.1") == "global");
}

TEST_CASE("windows_adapters: an answer that is not a list of adapters fails clearly",
          "[windows_adapters][hostile]") {
  auto answer = GENERATE(as<std::string>{}, R"("adapters")", R"([1, 2, 3])",
                         R"({"adapters": {"Wi-Fi": 1}})", R"({"interfaces": []})", "not json");
  CAPTURE(answer);
  testing::ScratchMachine m;
  m.write("api/adapters.json", answer);
  auto snap = m.collect("windows_adapters");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::FAILED);
  CHECK_THAT(snap.collectors(0).message(), Catch::Contains("adapters"));
  CHECK(snap.network().interfaces_size() == 0);
}

TEST_CASE("windows_adapters: no answer at all", "[windows_adapters][hostile]") {
  testing::ScratchMachine m;
  auto snap = m.collect("windows_adapters");
  CHECK(snap.collectors(0).outcome() == v1::CollectorStatus::FAILED);
  CHECK_THAT(snap.collectors(0).message(), Catch::Contains("reading the network adapters"));
}

TEST_CASE("windows_adapters: wrong types, bad addresses and huge lists are bounded",
          "[windows_adapters][hostile]") {
  std::string huge = R"({"adapters": [)";
  huge += R"({"friendly_name": 42, "if_type": "71", "oper_status": -1, "mac": "zz:zz",
     "transmit_link_speed": "fast", "mtu": 99999999999, "dhcpv4_enabled": "yes",
     "unicast": [{"address": "not-an-ip", "prefix_length": 24},
                 {"address": "10.0.0.300", "prefix_length": 8},
                 {"address": "192.0.2.7", "prefix_length": 33},
                 {"address": "fe80::1%12", "prefix_length": 64},
                 "192.0.2.9",
                 {"address": "192.0.2.8", "prefix_length": 24}],
     "gateways": ["192.0.2.1", 7, "<script>", "192.0.2.1"],
     "dns_servers": {"a": 1}, "dns_suffix": ")" +
          std::string(5000, 'x') + R"("},)";
  huge += R"({"description": "no name, no guid"}, 17, null)";
  for (int i = 0; i < 100; ++i) {
    huge += R"(, {"friendly_name": "Ethernet )" + std::to_string(i) +
            R"(", "if_type": 6, "unicast": [)";
    for (int j = 0; j < 40; ++j) {
      huge += (j ? "," : "") + std::string(R"({"address": "10.1.)") + std::to_string(j) +
              R"(.1", "prefix_length": 24})";
    }
    huge += "]}";
  }
  huge += "]}";
  testing::ScratchMachine m;
  m.write("api/adapters.json", huge);
  auto snap = m.collect("windows_adapters");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  CHECK_THAT(snap.collectors(0).message(), Catch::Contains("only the first 64 kept"));
  const auto& net = snap.network();
  REQUIRE(net.interfaces_size() == 64);
  const auto& odd = net.interfaces(0);
  CHECK(odd.name() == "42");  // a number written out, as json_text does
  CHECK(odd.kind() == NetworkInterface::WIRELESS);
  CHECK(odd.state() == NetworkInterface::OPER_UNKNOWN);
  CHECK(odd.mac().empty());
  CHECK_FALSE(odd.has_speed_mbps());
  CHECK(odd.mtu() == 0);
  CHECK_FALSE(odd.has_dhcp());
  REQUIRE(odd.addresses_size() == 2);
  CHECK(odd.addresses(0).address() == "fe80::1");
  CHECK(odd.addresses(1).address() == "192.0.2.8");
  CHECK(testing::strings(odd.gateways()) == std::vector<std::string>{"192.0.2.1"});
  CHECK(odd.dns_servers_size() == 0);
  CHECK(odd.dns_suffix().size() <= 256);
  CHECK(net.interfaces(1).name() == "Ethernet 0");
  CHECK(net.interfaces(1).addresses_size() == 32);
  // No wlan answer: a note, the adapters still reported.
  CHECK_THAT(snap.collectors(0).message(), Catch::Contains("Wi-Fi: no answer of wlan recorded"));
}

TEST_CASE("windows_adapters: not a Windows machine", "[windows_adapters]") {
  SnapshotOptions options;
  options.sysroot = std::string(TRIAGE_FIXTURES_DIR) + "/sysroot/desktop";
  for (const auto& spec : windows_collector_catalog()) {
    if (spec.name != "windows_adapters") continue;
    auto snap = SnapshotTaker(options, std::span<const CollectorSpec>(&spec, 1), nullptr).take();
    CHECK(snap.collectors(0).outcome() == v1::CollectorStatus::UNAVAILABLE);
    CHECK_FALSE(snap.has_network());
  }
}
