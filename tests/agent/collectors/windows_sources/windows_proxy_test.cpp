// windows_proxy: WinHTTP and the signed-in users' Internet settings on both recorded machines,
// credentials redacted in every form a proxy list takes, and hostile answers.
#include <catch2/catch.hpp>

#include "agent/collectors/windows_sources/windows_proxy.hpp"
#include "tests/agent/collectors/windows_sources/network_test_support.hpp"

using namespace triage::agent;
namespace v1 = triage::v1;

namespace {

std::vector<std::string> proxy_lines(const v1::Snapshot& snap) {
  std::vector<std::string> out;
  for (const auto& p : snap.network().proxies())
    out.push_back(p.source() + " | " + p.variable() + " | " + p.value());
  return out;
}

constexpr const char* kUserKey =
    "[HKEY_USERS\\S-1-5-21-1-2-3-1001]\r\n\r\n"
    "[HKEY_USERS\\S-1-5-21-1-2-3-1001\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet "
    "Settings]\r\n";

}  // namespace

TEST_CASE("windows_proxy: the laptop's user takes the PAC file, WinHTTP goes direct",
          "[windows_proxy][recorded][win11-laptop]") {
  auto snap = testing::recorded_collect("win11-laptop", "windows_proxy");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  CHECK(snap.collectors(0).message().empty());
  const std::string user =
      "user MariaKeller (S-1-12-1-3183958231-1214471834-2389237154-1553212934)";
  CHECK(proxy_lines(snap) == std::vector<std::string>{
                                 "WinHTTP | access | direct",
                                 user + " | ProxyEnable | 0",
                                 user + " | AutoConfigURL | http://wpad.corp.example.com/proxy.pac",
                             });
}

TEST_CASE("windows_proxy: the server's WinHTTP proxy with its bypass list",
          "[windows_proxy][recorded][server2022]") {
  auto snap = testing::recorded_collect("server2022", "windows_proxy");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const std::string user = "user adm.jschmidt (S-1-5-21-1004336348-1177238915-682003330-1107)";
  CHECK(proxy_lines(snap) == std::vector<std::string>{
                                 "WinHTTP | access | named proxy",
                                 "WinHTTP | proxy | proxy.corp.example.com:8080",
                                 "WinHTTP | bypass | <local>;*.corp.example.com;10.*;172.16.*",
                                 user + " | ProxyEnable | 1",
                                 user + " | ProxyServer | proxy.corp.example.com:8080",
                                 user + " | ProxyOverride | *.corp.example.com;10.*;<local>",
                             });
}

TEST_CASE("windows_proxy: credentials in proxy lists", "[windows_proxy]") {
  CHECK(redact_proxy_list("proxy.corp.example.com:8080") == "proxy.corp.example.com:8080");
  CHECK(redact_proxy_list("jdoe:Winter2026!@proxy:8080") == "[REDACTED]@proxy:8080");
  CHECK(redact_proxy_list("http://jdoe:Winter2026!@proxy:8080") ==
        "http://jdoe:[REDACTED]@proxy:8080");
  CHECK(redact_proxy_list("http=proxy:80;https=jdoe:pw@proxy:443;ftp=proxy:21") ==
        "http=proxy:80;https=[REDACTED]@proxy:443;ftp=proxy:21");
  CHECK(redact_proxy_list("<local>;*.corp.example.com") == "<local>;*.corp.example.com");
  CHECK(redact_proxy_list("") == "");
}

TEST_CASE("windows_proxy: a user's proxy with a password, and a PAC URL with a token",
          "[windows_proxy][hostile]") {
  testing::ScratchMachine m;
  m.write("api/winhttp_proxy.json",
          R"({"access_type": "named_proxy", "proxy": "http://svc:S3cret@proxy:3128",
              "bypass": 42})");
  m.write("registry/network.reg",
          std::string("Windows Registry Editor Version 5.00\r\n\r\n") + kUserKey +
              "\"ProxyEnable\"=dword:00000001\r\n"
              "\"ProxyServer\"=\"https=jdoe:Winter2026!@proxy:443\"\r\n"
              "\"AutoConfigURL\"=\"https://pac.example.com/p.pac?token=abcdef123456\"\r\n");
  auto snap = m.collect("windows_proxy");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  auto lines = proxy_lines(snap);
  REQUIRE(lines.size() == 6);
  CHECK(lines[0] == "WinHTTP | access | named proxy");
  CHECK(lines[1] == "WinHTTP | proxy | http://svc:[REDACTED]@proxy:3128");
  CHECK(lines[2] == "WinHTTP | bypass | 42");
  // No profile list entry: the SID names the user.
  CHECK(lines[4] == "user S-1-5-21-1-2-3-1001 | ProxyServer | https=[REDACTED]@proxy:443");
  CHECK(lines[5].find("abcdef123456") == std::string::npos);
  for (const auto& line : lines) {
    CHECK(line.find("Winter2026") == std::string::npos);
    CHECK(line.find("S3cret") == std::string::npos);
  }
}

TEST_CASE("windows_proxy: answers of the wrong shape and a machine without user hives",
          "[windows_proxy][hostile]") {
  auto answer = GENERATE(as<std::string>{}, R"("direct")", R"({"proxy": "x"})", "[]");
  CAPTURE(answer);
  testing::ScratchMachine m;
  m.write("api/winhttp_proxy.json", answer);
  auto snap = m.collect("windows_proxy");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  CHECK_THAT(snap.collectors(0).message(), Catch::Contains("WinHTTP: the winhttp_proxy answer"));
  CHECK_THAT(snap.collectors(0).message(), Catch::Contains("user proxy settings:"));
  CHECK(snap.network().proxies_size() == 0);
}

TEST_CASE("windows_proxy: many users and long values are bounded", "[windows_proxy][hostile]") {
  std::string reg = "Windows Registry Editor Version 5.00\r\n\r\n";
  for (int i = 0; i < 100; ++i) {
    reg += "[HKEY_USERS\\S-1-5-21-1-2-3-" + std::to_string(2000 + i) +
           "\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings]\r\n"
           "\"ProxyEnable\"=dword:00000001\r\n\"ProxyOverride\"=\"" +
           std::string(10000, 'x') + "\"\r\n\r\n";
  }
  testing::ScratchMachine m;
  m.write("registry/network.reg", reg);
  auto snap = m.collect("windows_proxy");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  CHECK_THAT(snap.collectors(0).message(), Catch::Contains("only the first 32 users kept"));
  CHECK(snap.network().proxies_size() == 64);
  for (const auto& p : snap.network().proxies()) CHECK(p.value().size() <= 2048);
}
