// windows_dns: the DNS Client's servers and suffixes on both recorded machines, the search
// list's precedence, and hostile registry and adapter values.
#include <catch2/catch.hpp>

#include "agent/collectors/windows_sources/windows_dns.hpp"
#include "tests/agent/collectors/windows_sources/network_test_support.hpp"

using namespace triage::agent;
namespace v1 = triage::v1;

TEST_CASE("windows_dns: the laptop asks the VPN's servers first",
          "[windows_dns][recorded][win11-laptop]") {
  auto snap = testing::recorded_collect("win11-laptop", "windows_dns");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& dns = snap.network().dns();
  CHECK(dns.manager() == "Windows DNS Client");
  // VPN (metric 1), then Wi-Fi (25); the unplugged Ethernet's and the Hyper-V switch's
  // fec0:0:0:ffff::1-3 defaults are no servers.
  CHECK(testing::strings(dns.nameservers()) ==
        std::vector<std::string>{"10.1.0.10", "10.1.0.11", "172.20.0.53", "172.20.0.54"});
  // Entra joined: no primary suffix, no search list; the connections' suffixes.
  CHECK(testing::strings(dns.search_domains()) ==
        std::vector<std::string>{"corp.example.com", "wlan.corp.example.com"});
  CHECK(dns.upstream_nameservers_size() == 0);
}

TEST_CASE("windows_dns: the server's domain controllers and the policy's search list",
          "[windows_dns][recorded][server2022]") {
  auto snap = testing::recorded_collect("server2022", "windows_dns");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& dns = snap.network().dns();
  CHECK(testing::strings(dns.nameservers()) ==
        std::vector<std::string>{"10.10.1.10", "10.10.1.11"});
  CHECK(testing::strings(dns.search_domains()) ==
        std::vector<std::string>{"corp.example.com", "berlin.corp.example.com", "example.com"});
}

TEST_CASE("windows_dns: the primary suffix comes first without a search list", "[windows_dns]") {
  testing::ScratchMachine m;
  m.copy("server2022", "api/adapters.json");
  m.write("registry/network.reg",
          "Windows Registry Editor Version 5.00\r\n\r\n"
          "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters]\r\n"
          "\"Domain\"=\" corp.example.com \"\r\n"
          "\"SearchList\"=\"\"\r\n");
  auto snap = m.collect("windows_dns");
  CHECK(testing::strings(snap.network().dns().search_domains()) ==
        std::vector<std::string>{"corp.example.com"});

  m.write("registry/network.reg",
          "Windows Registry Editor Version 5.00\r\n\r\n"
          "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters]\r\n"
          "\"Domain\"=\"corp.example.com\"\r\n"
          "\"SearchList\"=\"lab.example.net\"\r\n");
  snap = m.collect("windows_dns");
  CHECK(testing::strings(snap.network().dns().search_domains()) ==
        std::vector<std::string>{"lab.example.net"});
}

TEST_CASE("windows_dns: search lists", "[windows_dns]") {
  CHECK(parse_search_list("") == std::vector<std::string>{});
  CHECK(parse_search_list("a.example, b.example ,,a.example") ==
        std::vector<std::string>{"a.example", "b.example"});
  std::string many;
  for (int i = 0; i < 1000; ++i) many += "d" + std::to_string(i) + ".example,";
  many += std::string(10000, 'x');
  auto parsed = parse_search_list(many);
  CHECK(parsed.size() == 16);
  CHECK(parsed[0] == "d0.example");
}

TEST_CASE("windows_dns: many adapters with many servers are bounded, no registry is a note",
          "[windows_dns][hostile]") {
  std::string adapters = R"({"adapters": [)";
  for (int i = 0; i < 40; ++i) {
    adapters += (i ? "," : "") + std::string(R"({"friendly_name": "vpn)") + std::to_string(i) +
                R"(", "oper_status": 1, "ipv4_metric": )" + std::to_string(40 - i) +
                R"(, "dns_servers": ["10.0.)" + std::to_string(i) + R"(.1", "10.0.)" +
                std::to_string(i) + R"(.2", "not a server"], "dns_suffix": ")" +
                std::string(300, 'a') + R"("})";
  }
  adapters += "]}";
  testing::ScratchMachine m;
  m.write("api/adapters.json", adapters);
  auto snap = m.collect("windows_dns");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  CHECK_THAT(snap.collectors(0).message(), Catch::Contains("no Tcpip parameters"));
  const auto& dns = snap.network().dns();
  CHECK(dns.nameservers_size() == 16);
  CHECK(dns.nameservers(0) == "10.0.39.1");  // the lowest metric first
  CHECK(dns.search_domains_size() == 0);     // 300 characters: no DNS name
}

TEST_CASE("windows_dns: no adapters answer fails", "[windows_dns][hostile]") {
  testing::ScratchMachine m;
  m.write("api/adapters.json", "{\"adapters\": 5}");
  auto snap = m.collect("windows_dns");
  CHECK(snap.collectors(0).outcome() == v1::CollectorStatus::FAILED);
}
