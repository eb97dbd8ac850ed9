// The dns collector: nameservers, search domains and who manages them.
#include <catch2/catch.hpp>

#include "agent/collectors/linux/dns.hpp"
#include "tests/agent/collectors/fixture_support.hpp"
#include "tests/agent/collectors/linux/hostile_inputs.hpp"

using namespace triage::agent;

TEST_CASE("dns: desktop behind the systemd-resolved stub", "[dns][fixture][desktop]") {
  auto net = testing::fixture_collect("desktop", "dns").network();
  CHECK(std::vector<std::string>(net.dns().nameservers().begin(), net.dns().nameservers().end()) ==
        std::vector<std::string>{"127.0.0.53"});
  CHECK(net.dns().manager() == "systemd-resolved stub");
  CHECK(std::vector<std::string>(net.dns().upstream_nameservers().begin(),
                                 net.dns().upstream_nameservers().end()) ==
        std::vector<std::string>{"192.168.1.1", "9.9.9.9"});
  CHECK(std::vector<std::string>(net.dns().search_domains().begin(),
                                 net.dns().search_domains().end()) ==
        std::vector<std::string>{"corp.example.com"});
}

TEST_CASE("dns: laptop under NetworkManager", "[dns][fixture][laptop]") {
  auto net = testing::fixture_collect("laptop", "dns").network();
  CHECK(net.dns().manager() == "NetworkManager");
  CHECK(net.dns().nameservers_size() == 2);
}

TEST_CASE("dns: server search domains and options", "[dns][fixture][server]") {
  auto net = testing::fixture_collect("server-raid", "dns").network();
  CHECK(std::vector<std::string>(net.dns().search_domains().begin(),
                                 net.dns().search_domains().end()) ==
        std::vector<std::string>{"dc1.example.net", "example.net"});
  CHECK(net.dns().options_size() == 2);
}

TEST_CASE("dns: the resolv.conf parser survives hostile input", "[dns][parsers][robustness]") {
  for (const auto& input : testing::hostile_inputs()) (void)parse_resolv_conf(input);
  SUCCEED();
}
