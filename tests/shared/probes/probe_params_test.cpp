// The probe parameter rules both sides apply: one host and one port per probe, never a range,
// list, wildcard, network prefix, broadcast, multicast or unspecified address; URLs without
// credentials; absolute paths without `..`; budgets within their bounds.

#include <catch2/catch.hpp>

#include "shared/probes/probe_params.hpp"

using namespace triage;

namespace {

v1::ProbePayload reach(const std::string& host, std::uint32_t port) {
  v1::ProbePayload p;
  p.set_probe("reach");
  p.mutable_reach()->set_host(host);
  p.mutable_reach()->set_port(port);
  p.set_time_budget_ms(1000);
  p.set_output_budget_bytes(4096);
  return p;
}

}  // namespace

TEST_CASE("probe parameters: one host and one port are accepted", "[probes]") {
  const auto host = GENERATE(as<std::string>{}, "vpn.example.com", "intranet", "10.1.2.3",
                             "127.0.0.1", "2001:db8::1", "::1", "mail.example.com.", "a-b.c_d.e");
  CAPTURE(host);
  CHECK(probes::check_probe_request(reach(host, 443)));
}

TEST_CASE("hostile probe parameters: sweeps, ranges and lists are refused", "[probes][hostile]") {
  const auto host = GENERATE(as<std::string>{}, "10.0.0.0/24", "10.0.0.1-20", "10.0.0.1,10.0.0.2",
                             "*.example.com", "a b", "", "0.0.0.0", "255.255.255.255", "224.0.0.1",
                             "239.1.2.3", "::", "0::0", "ff02::1", "1.2.3", "167772161", "host\n",
                             "-lead.example.com", std::string(300, 'a'), "x;rm -rf /", "$(id)");
  CAPTURE(host);
  auto r = probes::check_probe_request(reach(host, 443));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kInvalid);
}

TEST_CASE("hostile probe parameters: ports outside 1 to 65535 are refused", "[probes][hostile]") {
  const auto port = GENERATE(0u, 65536u, 4294967295u);
  CHECK_FALSE(probes::check_probe_request(reach("example.com", port)));
}

TEST_CASE("hostile probe parameters: URLs with credentials or other schemes are refused",
          "[probes][hostile]") {
  const auto url = GENERATE(
      as<std::string>{}, "ftp://example.com/", "file:///etc/shadow", "https://user:pw@example.com/",
      "http://10.0.0.1-20/", "http://example.com:0/", "http://example.com:1-100/",
      "http://[ff02::1]/", "gopher://x", "https://exa mple.com/", "http://255.255.255.255/");
  CAPTURE(url);
  v1::ProbePayload p;
  p.set_probe("http_get");
  p.mutable_http_get()->set_url(url);
  p.set_time_budget_ms(1000);
  p.set_output_budget_bytes(4096);
  CHECK_FALSE(probes::check_probe_request(p));
}

TEST_CASE("probe URLs are split into scheme, host, port and target", "[probes]") {
  auto url = probes::parse_probe_url("https://[2001:db8::1]:8443/a/b?c=d#frag");
  REQUIRE(url);
  CHECK(url->https);
  CHECK(url->host == "2001:db8::1");
  CHECK(url->port == 8443);
  CHECK(url->target == "/a/b?c=d");
  auto plain = probes::parse_probe_url("http://intranet");
  REQUIRE(plain);
  CHECK(plain->port == 80);
  CHECK(plain->target == "/");
}

TEST_CASE("hostile probe parameters: disk paths and budgets out of bounds are refused",
          "[probes][hostile]") {
  v1::ProbePayload p;
  p.set_probe("disk_usage");
  p.mutable_disk_usage()->set_max_depth(2);
  p.mutable_disk_usage()->set_top(10);
  p.set_time_budget_ms(1000);
  p.set_output_budget_bytes(4096);
  p.mutable_disk_usage()->set_path("/home/alice");
  CHECK(probes::check_probe_request(p));
  for (const char* bad : {"home", "/home/../etc", "/..", "", "/a\nb", "C:", "C:Users",
                          "C:\\Users\\..\\Windows", "C:/..", "\\\\server\\share", "..\\x"}) {
    p.mutable_disk_usage()->set_path(bad);
    CHECK_FALSE(probes::check_probe_request(p));
  }
  // A Windows endpoint's folders are drive-absolute.
  for (const char* good : {"C:\\Users", "D:/data", "c:\\", "/home/a..b"}) {
    p.mutable_disk_usage()->set_path(good);
    CHECK(probes::check_probe_request(p));
  }
  p.mutable_disk_usage()->set_path("/home");
  p.mutable_disk_usage()->set_max_depth(9);
  CHECK_FALSE(probes::check_probe_request(p));
  p.mutable_disk_usage()->set_max_depth(2);
  p.set_time_budget_ms(30'001);
  CHECK_FALSE(probes::check_probe_request(p));
  p.set_time_budget_ms(1000);
  p.set_output_budget_bytes(0);
  CHECK_FALSE(probes::check_probe_request(p));
}

TEST_CASE("hostile probe parameters: a probe name and parameters of another probe are refused",
          "[probes][hostile]") {
  auto p = reach("example.com", 443);
  p.set_probe("resolve");
  CHECK_FALSE(probes::check_probe_request(p));
  p.set_probe("portscan");
  CHECK_FALSE(probes::check_probe_request(p));
}

namespace {

v1::ProbePayload budgeted(const std::string& probe) {
  v1::ProbePayload p;
  p.set_probe(probe);
  p.set_time_budget_ms(1000);
  p.set_output_budget_bytes(4096);
  return p;
}

v1::ProbePayload log_lines(const std::string& source, const std::string& level = "warning",
                           std::uint32_t minutes = 10, std::uint32_t lines = 100) {
  auto p = budgeted("log_lines");
  p.mutable_log_lines()->set_source(source);
  p.mutable_log_lines()->set_min_level(level);
  p.mutable_log_lines()->set_since_minutes(minutes);
  p.mutable_log_lines()->set_max_lines(lines);
  return p;
}

}  // namespace

TEST_CASE("probe parameters: connections of one pid or of one process name", "[probes]") {
  auto by_pid = budgeted("connections");
  by_pid.mutable_connections()->set_pid(4242);
  CHECK(probes::check_probe_request(by_pid));
  auto by_name = budgeted("connections");
  by_name.mutable_connections()->set_process("outlook.exe");
  CHECK(probes::check_probe_request(by_name));
  CHECK(probes::probe_target(by_name) == "outlook.exe");
  CHECK(probes::probe_target(by_pid) == "pid 4242");
}

TEST_CASE("hostile probe parameters: connections needs exactly one process, never a pattern",
          "[probes][hostile]") {
  auto neither = budgeted("connections");
  neither.mutable_connections();
  CHECK_FALSE(probes::check_probe_request(neither));
  auto both = budgeted("connections");
  both.mutable_connections()->set_pid(1);
  both.mutable_connections()->set_process("sshd");
  CHECK_FALSE(probes::check_probe_request(both));
  const auto name = GENERATE(as<std::string>{}, "*", "ch?ome", "/usr/bin/ssh", "C:\\evil.exe",
                             "tab\there", std::string(65, 'a'));
  CAPTURE(name);
  auto p = budgeted("connections");
  p.mutable_connections()->set_process(name);
  CHECK_FALSE(probes::check_probe_request(p));
}

TEST_CASE("probe parameters: log sources, levels, windows and caps", "[probes]") {
  const auto source =
      GENERATE(as<std::string>{}, "cups.service", "sshd", "kernel", "user@1000.service",
               "Microsoft-Windows-PrintService/Admin", "Application");
  CAPTURE(source);
  CHECK(probes::check_probe_request(log_lines(source)));
  CHECK(probes::check_probe_request(log_lines("sshd", "debug", 1440, 500)));
  CHECK(probes::check_probe_request(log_lines("sshd", "", 1, 1)));  // "" = warning
  CHECK(probes::log_level_rank("err") == 3);
  CHECK(probes::log_level_name(4) == "warning");
}

TEST_CASE("hostile probe parameters: log sources that are patterns, levels and bounds refused",
          "[probes][hostile]") {
  const auto source = GENERATE(as<std::string>{}, "", "*", "cups*", "a;b", "MESSAGE=x\nPRIORITY=0",
                               " lead", "trail ", std::string(257, 'a'));
  CAPTURE(source);
  CHECK_FALSE(probes::check_probe_request(log_lines(source)));
  CHECK_FALSE(probes::check_probe_request(log_lines("sshd", "verbose")));
  CHECK_FALSE(probes::check_probe_request(log_lines("sshd", "warning", 0)));
  CHECK_FALSE(probes::check_probe_request(log_lines("sshd", "warning", 1441)));
  CHECK_FALSE(probes::check_probe_request(log_lines("sshd", "warning", 10, 0)));
  CHECK_FALSE(probes::check_probe_request(log_lines("sshd", "warning", 10, 501)));
}

TEST_CASE("probe parameters: path to one host within 30 hops", "[probes][hostile]") {
  auto p = budgeted("path");
  p.mutable_path()->set_host("vpn.example.com");
  p.mutable_path()->set_max_hops(30);
  CHECK(probes::check_probe_request(p));
  p.mutable_path()->set_max_hops(31);
  CHECK_FALSE(probes::check_probe_request(p));
  p.mutable_path()->set_max_hops(0);
  CHECK_FALSE(probes::check_probe_request(p));
  p.mutable_path()->set_max_hops(10);
  p.mutable_path()->set_host("10.0.0.0/8");
  CHECK_FALSE(probes::check_probe_request(p));
  p.mutable_path()->set_host("255.255.255.255");
  CHECK_FALSE(probes::check_probe_request(p));
}
