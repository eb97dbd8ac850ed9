// triagectl's probe command without a collector: the request body each probe's syntax makes
// (connections takes a pid or a name, log_lines and path their options), the usage errors
// (a missing target, an option meant for another probe, an unknown level), and the results
// printed for people from a canned run, with the endpoint's text sanitized.

#include <catch2/catch.hpp>

#include <sstream>

#include "collector/triagectl/ctl_output.hpp"
#include "collector/triagectl/ctl_probes.hpp"

using namespace triage;
using namespace triage::ctl;
using nlohmann::json;

namespace {

ProbeCommand command(std::string probe, std::string target) {
  ProbeCommand c;
  c.device_id = "dev-1";
  c.probe = std::move(probe);
  c.target = std::move(target);
  return c;
}

/// The usage message for `c`, or "" when probe_body accepted it.
std::string refusal(const ProbeCommand& c) {
  auto body = probe_body(c);
  if (body) return "";
  CHECK(body.error().code == ErrorCode::kInvalid);
  return body.error().message;
}

/// What show_probe prints for `run`, as the collector would serve it.
std::string printed(const json& run) {
  std::ostringstream out, err;
  const Output o{out, err, false};
  const ApiCall api = [&run](transport::http::verb, const std::string&,
                             const std::optional<json>&) -> Result<json> { return run; };
  REQUIRE(show_probe(api, "7", o));
  return out.str();
}

/// The first line of `text` holding `needle`.
std::string line_with(const std::string& text, const std::string& needle) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(needle) != std::string::npos) return line;
  }
  return "";
}

json run_of(const std::string& probe, const json& typed) {
  return {{"id", "7"},
          {"probe", probe},
          {"target", "t"},
          {"device_id", "dev-1"},
          {"state", "completed"},
          {"result", {{"status", "PROBE_COMPLETED"}, {"duration_ms", "12"}, {probe, typed}}}};
}

}  // namespace

TEST_CASE("triagectl probe: resolve --each-server asks each DNS server", "[triagectl][probes]") {
  auto c = command("resolve", "intranet.example.com");
  CHECK(probe_body(c)->at("params") == json{{"name", "intranet.example.com"}});
  c.each_server = true;
  CHECK(probe_body(c)->at("params") ==
        json{{"name", "intranet.example.com"}, {"each_server", true}});
  auto other = command("path", "vpn.example.com");
  other.each_server = true;
  CHECK(refusal(other).find("--each-server is for resolve") != std::string::npos);
}

TEST_CASE("triagectl probe: connections takes a pid (all digits) or a process name",
          "[triagectl][probes]") {
  CHECK(probe_body(command("connections", "4242"))->at("params") == json{{"pid", 4242}});
  CHECK(probe_body(command("connections", "outlook.exe"))->at("params") ==
        json{{"process", "outlook.exe"}});
  // Digits and more is a name; the collector judges it.
  CHECK(probe_body(command("connections", "4242x"))->at("params") == json{{"process", "4242x"}});
  CHECK(refusal(command("connections", "")).find("PID or a process NAME") != std::string::npos);
  CHECK(refusal(command("connections", "0")).find("1 to 2147483647") != std::string::npos);
  CHECK(refusal(command("connections", "2147483648")).find("1 to 2147483647") != std::string::npos);
  CHECK(refusal(command("connections", "99999999999999999999")).find("1 to 2147483647") !=
        std::string::npos);
}

TEST_CASE("triagectl probe: log_lines SOURCE with --level, --since and --lines",
          "[triagectl][probes]") {
  auto c = command("log_lines", "cups.service");
  CHECK(probe_body(c)->at("params") == json{{"source", "cups.service"}});
  c.min_level = "err";
  c.since_minutes = 60;
  c.max_lines = 20;
  auto body = probe_body(c);
  REQUIRE(body);
  CHECK(body->at("probe") == "log_lines");
  CHECK(body->at("params") == json{{"source", "cups.service"},
                                   {"min_level", "err"},
                                   {"since_minutes", 60},
                                   {"max_lines", 20}});
  c.min_level = "error";
  CHECK(refusal(c).find("--level takes emerg, alert") != std::string::npos);
  CHECK(refusal(command("log_lines", "")).find("log_lines takes a SOURCE") != std::string::npos);
  auto other = command("resolve", "example.com");
  other.since_minutes = 5;
  CHECK(refusal(other).find("are for log_lines") != std::string::npos);
  other = command("listening", "");
  other.min_level = "err";
  CHECK(refusal(other).find("are for log_lines") != std::string::npos);
}

TEST_CASE("triagectl probe: path HOST --max-hops", "[triagectl][probes]") {
  auto c = command("path", "vpn.example.com");
  CHECK(probe_body(c)->at("params") == json{{"host", "vpn.example.com"}});
  c.max_hops = 5;
  CHECK(probe_body(c)->at("params") == json{{"host", "vpn.example.com"}, {"max_hops", 5}});
  CHECK(refusal(command("path", "")).find("path takes a HOST") != std::string::npos);
  auto other = command("reach", "vpn.example.com:443");
  other.max_hops = 5;
  CHECK(refusal(other).find("--max-hops is for path") != std::string::npos);
}

TEST_CASE("triagectl probe: an unknown probe lists the known ones", "[triagectl][probes]") {
  CHECK(refusal(command("traceroute", "x"))
            .find("known: reach, resolve, http_get, listening, disk_usage, connections, log_lines, "
                  "path") != std::string::npos);
}

TEST_CASE("triagectl probe: each DNS server's answer is printed, failures marked",
          "[triagectl][probes]") {
  const auto out = printed(
      run_of("resolve",
             {{"resolver", "system"},
              {"addresses", json::array({"192.0.2.10"})},
              {"duration_ms", "3"},
              {"servers",
               {{{"server", "192.0.2.53"},
                 {"addresses", json::array({"192.0.2.10"})},
                 {"duration_ms", "2"}},
                {{"server", "192.0.2.54"}, {"duration_ms", "5000"}, {"error", "timed out"}}}}}));
  INFO(out);
  CHECK(out.find("DNS SERVER") != std::string::npos);
  CHECK(line_with(out, "192.0.2.53") == "192.0.2.53  192.0.2.10  2 ms     answered");
  CHECK(line_with(out, "192.0.2.54") == "192.0.2.54  no address  5000 ms  FAILED: timed out");
}

TEST_CASE("triagectl probe: connections, log lines and hops print as tables, sanitized",
          "[triagectl][probes]") {
  const std::string hostile = "evil\x1b[2J\x07name";
  const auto connections = printed(run_of("connections", {{"pids", json::array({4242})},
                                                          {"connections",
                                                           {{{"protocol", "tcp"},
                                                             {"local_address", "192.168.1.23"},
                                                             {"local_port", 51000},
                                                             {"remote_address", "10.20.30.40"},
                                                             {"remote_port", 443},
                                                             {"state", "ESTABLISHED"},
                                                             {"pid", 4242},
                                                             {"process", hostile}},
                                                            {{"protocol", "udp6"},
                                                             {"local_address", "fe80::1"},
                                                             {"local_port", 5353},
                                                             {"remote_address", "2001:db8::1"},
                                                             {"remote_port", 53},
                                                             {"pid", 4242},
                                                             {"process", hostile}}}}}));
  INFO(connections);
  CHECK(connections.find("processes 4242") != std::string::npos);
  CHECK(connections.find("192.168.1.23:51000") != std::string::npos);
  CHECK(connections.find("10.20.30.40:443") != std::string::npos);
  CHECK(connections.find("[2001:db8::1]:53") != std::string::npos);
  CHECK(connections.find("ESTABLISHED") != std::string::npos);
  CHECK(connections.find('\x1b') == std::string::npos);
  CHECK(connections.find('\x07') == std::string::npos);

  const auto logs =
      printed(run_of("log_lines", {{"lines",
                                    {{{"time_unix_ms", "1700000000000"},
                                      {"level", "err"},
                                      {"source", "cups.service"},
                                      {"identifier", "cupsd"},
                                      {"pid", 812},
                                      {"message", "printer \x1b]0;owned\x07 offline\nsecond line"}},
                                     {{"time_unix_ms", "1700000001000"},
                                      {"level", "err"},
                                      {"identifier", "cupsd"},
                                      {"message", "file \u202egpj.exe"}}}},
                                   {"more", true}}));
  INFO(logs);
  CHECK(logs.find("2023-11-14 22:13:20") != std::string::npos);
  CHECK(logs.find("cupsd[812]") != std::string::npos);
  CHECK(logs.find("older lines left out") != std::string::npos);
  CHECK(logs.find('\x1b') == std::string::npos);
  CHECK(logs.find("offline second line") != std::string::npos);
  // A right-to-left override would show "file exe.jpg": it is dropped.
  CHECK(logs.find("\u202e") == std::string::npos);
  CHECK(logs.find("file gpj.exe") != std::string::npos);

  const auto path = printed(run_of(
      "path", {{"address", "192.0.2.80"},
               {"method", "udp"},
               {"reached", true},
               {"hops",
                {{{"ttl", 1}, {"address", "192.168.1.1"}, {"rtt_ms", 0.52}},
                 {{"ttl", 2}, {"note", "no answer"}},
                 {{"ttl", 3}, {"rtt_ms", 3}},
                 {{"ttl", 4}, {"address", "192.0.2.80"}, {"rtt_ms", 18.31}, {"reached", true}}}}}));
  INFO(path);
  CHECK(path.find("path to 192.0.2.80 (udp): reached") != std::string::npos);
  CHECK(line_with(path, "1  ") == "1    192.168.1.1  0.52 ms  ");
  CHECK(line_with(path, "2  ") == "2    *            -        no answer");
  CHECK(line_with(path, "3  ") == "3    *            -        no answer");
  CHECK(line_with(path, "4  ") == "4    192.0.2.80   18.3 ms  destination");
}
