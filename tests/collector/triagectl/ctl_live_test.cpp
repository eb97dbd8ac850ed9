// triagectl's live command without a collector: the request body its options make and the
// usage errors, a sample as one line (rates humanized, a missing value as "-", the endpoint's
// text sanitized) with its new error lines, and the session followed through a scripted API:
// samples printed until the end, --json lines, and an interrupt that stops a session it opened
// but leaves one it joined running.

#include <catch2/catch.hpp>

#include <deque>
#include <sstream>

#include "collector/triagectl/ctl_live.hpp"

using namespace triage;
using namespace triage::ctl;
using nlohmann::json;
namespace http = triage::transport::http;

namespace {

LiveCommand command() {
  LiveCommand c;
  c.device_id = "dev-1";
  c.poll_interval = std::chrono::milliseconds(1);
  return c;
}

std::string refusal(const LiveCommand& c) {
  auto body = live_body(c);
  if (body) return "";
  CHECK(body.error().code == ErrorCode::kInvalid);
  return body.error().message;
}

json sample(int seq) {
  return {{"seq", seq},
          {"at", "2026-12-07T18:43:51Z"},
          {"cpu_percent", 12.5},
          {"memory_total_bytes", 8589934592},
          {"memory_available_bytes", 3221225472},
          {"swap_used_bytes", 0},
          {"disk_read_bytes_per_s", 1258291},
          {"disk_write_bytes_per_s", 0},
          {"net_rx_bytes_per_s", 3481},
          {"net_tx_bytes_per_s", 812},
          {"top_processes",
           {{{"pid", 4242}, {"name", "firefox"}, {"cpu_percent", 45.1}, {"rss_bytes", 1 << 30}},
            {{"pid", 1}, {"name", "systemd"}, {"cpu_percent", 0}, {"rss_bytes", 1 << 20}}}},
          {"new_errors", json::array()},
          {"errors_left_out", 0},
          {"agent_cpu_percent", 0.4}};
}

json session(const std::string& state, int samples, const std::string& reason = "") {
  return {{"id", "l-1"},          {"device_id", "dev-1"}, {"ticket_id", nullptr},
          {"started_by", "tom"},  {"state", state},       {"samples", samples},
          {"end_reason", reason}, {"interval_ms", 1000},  {"ends_at", "2026-12-07T18:53:50Z"}};
}

/// An API that answers each call with the next scripted reply and records the calls.
struct ScriptedApi {
  std::deque<json> replies;
  std::vector<std::string> calls;
  std::vector<json> bodies;

  ApiCall call() {
    return [this](http::verb verb, const std::string& target,
                  const std::optional<json>& body) -> Result<json> {
      calls.push_back(std::string(http::to_string(verb)) + " " + target);
      bodies.push_back(body.value_or(json()));
      if (replies.empty()) return fail("no reply scripted for " + target);
      auto reply = replies.front();
      replies.pop_front();
      return reply;
    };
  }
};

json opened(bool joined, int samples = 0) {
  auto s = session(samples ? "live" : "starting", samples);
  s["joined"] = joined;
  return s;
}

json page(const json& state, std::vector<json> samples) {
  return {{"session", state}, {"samples", samples}, {"next_after", 0}};
}

}  // namespace

TEST_CASE("triagectl live: the body says the ticket and the minutes, only when given",
          "[triagectl][live]") {
  auto c = command();
  CHECK(*live_body(c) == json::object());
  c.ticket_id = "12";
  c.minutes = 5;
  CHECK(*live_body(c) == json{{"ticket_id", 12}, {"minutes", 5}});
  c.minutes = 11;
  CHECK(refusal(c).find("--minutes takes 1 to 10") != std::string::npos);
  c.minutes = 0;
  for (const auto* ticket : {"12a", "0", "-3", "#12"}) {
    c.ticket_id = ticket;
    CHECK(refusal(c).find("--ticket takes a ticket number") != std::string::npos);
  }
  c.ticket_id = "";
  c.device_id = "";
  CHECK(refusal(c).find("DEVICE") != std::string::npos);
}

TEST_CASE("triagectl live: a sample reads as one line with humanized rates", "[triagectl][live]") {
  CHECK(sample_line(sample(1)) ==
        "18:43:51  cpu  12.5%  mem  62.5%  disk r   1.2 MiB/s w       0 B/s  net rx   3.4 KiB/s "
        "tx     812 B/s  top firefox 45.1%");
  auto busy = sample(2);
  busy["cpu_percent"] = 100;
  busy["top_processes"][0]["cpu_percent"] = 250;  // of one core: two busy cores
  CHECK(sample_line(busy).find("cpu 100.0%") != std::string::npos);
  CHECK(sample_line(busy).find("top firefox 250.0%") != std::string::npos);
}

TEST_CASE("triagectl live: what a sample lacks shows as -, the endpoint's text sanitized",
          "[triagectl][live]") {
  json sparse = {{"seq", 3}, {"at", "not a time"}, {"memory_total_bytes", 0}};
  CHECK(sample_line(sparse) ==
        "--:--:--  cpu      -  mem      -  disk r           - w           -  net rx           - "
        "tx           -");
  auto hostile = sample(4);
  hostile["top_processes"][0]["name"] = "evil\x1b]0;owned\x07\nname";
  const auto line = sample_line(hostile);
  CHECK(line.find('\x1b') == std::string::npos);
  CHECK(line.find('\x07') == std::string::npos);
  CHECK(line.find('\n') == std::string::npos);
  CHECK(line.find("top evil]0;owned name") != std::string::npos);
}

TEST_CASE("triagectl live: new error lines under the sample, and how many were left out",
          "[triagectl][live]") {
  auto s = sample(5);
  CHECK(error_lines(s).empty());
  s["new_errors"] = {{{"at", "2026-12-07T18:43:50Z"},
                      {"level", "err"},
                      {"source", "ssh.service"},
                      {"identifier", "sshd"},
                      {"message", "Failed password for root"}},
                     {{"at", "2026-12-07T18:43:50Z"},
                      {"level", "crit"},
                      {"source", "kernel"},
                      {"identifier", ""},
                      {"message", "line one\nline two\x1b[31m"}}};
  s["errors_left_out"] = 7;
  CHECK(error_lines(s) == std::vector<std::string>{"  ! err sshd: Failed password for root",
                                                   "  ! crit kernel: line one line two[31m",
                                                   "  ! 7 more error line(s) left out"});
}

TEST_CASE("triagectl live: prints each sample as it comes until the session ends",
          "[triagectl][live]") {
  ScriptedApi api;
  api.replies = {opened(false), page(session("starting", 0), {}),
                 page(session("live", 2), {sample(1), sample(2)}),
                 page(session("ended", 3, "time is up"), {sample(3)})};
  std::ostringstream out, err;
  std::atomic<bool> interrupted{false};
  auto c = command();
  c.ticket_id = "12";
  auto code = run_live(api.call(), c, Output{out, err, false}, interrupted);
  REQUIRE(code);
  CHECK(*code == 0);
  REQUIRE(api.calls.size() == 4);
  CHECK(api.calls[0] == "POST /api/v1/devices/dev-1/live");
  CHECK(api.bodies[0] == json{{"ticket_id", 12}});
  CHECK(api.calls[1] == "GET /api/v1/live/l-1?after=0&limit=600");
  CHECK(api.calls[2] == "GET /api/v1/live/l-1?after=0&limit=600");
  CHECK(api.calls[3] == "GET /api/v1/live/l-1?after=2&limit=600");
  const auto text = out.str();
  CHECK(text.find("live view l-1 on dev-1, ends at 2026-12-07T18:53:50Z") == 0);
  CHECK(text.find("Ctrl-C stops it") != std::string::npos);
  std::size_t samples = 0;
  for (std::size_t at = text.find("cpu "); at != std::string::npos; at = text.find("cpu ", at + 1))
    ++samples;
  CHECK(samples == 3);
  CHECK(text.find("live view l-1 ended: time is up (3 samples)") != std::string::npos);
}

TEST_CASE("triagectl live: --json prints each sample as one JSON line, nothing else on stdout",
          "[triagectl][live]") {
  ScriptedApi api;
  api.replies = {opened(false), page(session("ended", 2, "stopped"), {sample(1), sample(2)})};
  std::ostringstream out, err;
  std::atomic<bool> interrupted{false};
  REQUIRE(run_live(api.call(), command(), Output{out, err, true}, interrupted) == 0);
  std::istringstream lines(out.str());
  int n = 0;
  for (std::string line; std::getline(lines, line); ++n) {
    CHECK(json::parse(line).at("seq") == n + 1);
  }
  CHECK(n == 2);
  CHECK(err.str().find("ended: stopped") != std::string::npos);
}

TEST_CASE("triagectl live: a session the agent refused exits as never run", "[triagectl][live]") {
  ScriptedApi api;
  api.replies = {opened(false), page(session("ended", 0, "refused: live is off by policy"), {})};
  std::ostringstream out, err;
  std::atomic<bool> interrupted{false};
  CHECK(run_live(api.call(), command(), Output{out, err, false}, interrupted) == kExitOrderNotRun);
  CHECK(out.str().find("refused: live is off by policy") != std::string::npos);
}

TEST_CASE("triagectl live: interrupted, it stops a session it opened", "[triagectl][live]") {
  ScriptedApi api;
  api.replies = {opened(false), session("ended", 0, "stopped")};
  std::ostringstream out, err;
  std::atomic<bool> interrupted{true};
  CHECK(run_live(api.call(), command(), Output{out, err, false}, interrupted) == kExitInterrupted);
  CHECK(api.calls ==
        std::vector<std::string>{"POST /api/v1/devices/dev-1/live", "POST /api/v1/live/l-1/stop"});
  CHECK(out.str().find("live view l-1 stopped") != std::string::npos);
}

TEST_CASE("triagectl live: interrupted, it leaves a joined session running and skips its past",
          "[triagectl][live]") {
  ScriptedApi api;
  api.replies = {opened(true, 40), page(session("live", 41), {sample(41)})};
  std::ostringstream out, err;
  std::atomic<bool> interrupted{false};
  // The first poll prints, then Ctrl-C: the scripted API has no reply for a stop.
  ApiCall call = [&](http::verb verb, const std::string& target,
                     const std::optional<json>& body) -> Result<json> {
    auto reply = api.call()(verb, target, body);
    if (api.calls.size() == 2) interrupted = true;
    return reply;
  };
  CHECK(run_live(call, command(), Output{out, err, false}, interrupted) == kExitInterrupted);
  CHECK(api.calls == std::vector<std::string>{"POST /api/v1/devices/dev-1/live",
                                              "GET /api/v1/live/l-1?after=40&limit=600"});
  CHECK(out.str().find("(joined; started by tom)") != std::string::npos);
  CHECK(out.str().find("Ctrl-C leaves it running") != std::string::npos);
  CHECK(out.str().find("live view l-1 left running") != std::string::npos);
}
