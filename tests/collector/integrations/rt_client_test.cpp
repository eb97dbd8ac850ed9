// The RT REST2 client treats RT's answers as hostile: a local fake HTTP server answers with
// oversized, non-JSON, wrongly shaped, erroring or no answers at all, and each becomes a
// bounded failure with the right retry decision. Also URL and credential rules, the request
// the client sends, and the comment RT gets for each event.

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>

#include <catch2/catch.hpp>

#include "collector/integrations/rt/rt_client.hpp"
#include "collector/integrations/rt/rt_comment.hpp"
#include "collector/integrations/rt/rt_connector.hpp"
#include "collector/integrations/ticket_event_planner.hpp"

using namespace triage::collector;
using namespace std::chrono_literals;

namespace {

/// One-request-per-connection HTTP server on 127.0.0.1 answering with `reply(request)`; an
/// empty reply holds the connection open without answering until the server stops.
class FakeRt {
 public:
  explicit FakeRt(std::function<std::string(const std::string&)> reply) : reply_(std::move(reply)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    REQUIRE(::listen(fd_, 8) == 0);
    thread_ = std::thread([this] { run(); });
  }
  ~FakeRt() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string last_request() {
    std::lock_guard lock(mutex_);
    return last_;
  }

 private:
  void run() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      std::string request;
      char buf[65536];
      for (;;) {
        pollfd q{c, POLLIN, 0};
        if (::poll(&q, 1, 2000) <= 0) break;
        auto n = ::read(c, buf, sizeof buf);
        if (n <= 0) break;
        request.append(buf, static_cast<std::size_t>(n));
        auto end = request.find("\r\n\r\n");
        if (end == std::string::npos) continue;
        std::size_t length = 0;
        auto cl = request.find("Content-Length: ");
        if (cl != std::string::npos) length = std::stoul(request.substr(cl + 16));
        if (request.size() >= end + 4 + length) break;
      }
      {
        std::lock_guard lock(mutex_);
        last_ = request;
      }
      std::string answer = reply_(request);
      if (answer.empty()) {
        while (!stop_) {
          pollfd q{c, POLLIN, 0};
          if (::poll(&q, 1, 20) > 0 && ::read(c, buf, sizeof buf) <= 0) break;
        }
      } else {
        std::size_t sent = 0;
        while (sent < answer.size()) {
          auto n = ::send(c, answer.data() + sent, answer.size() - sent, MSG_NOSIGNAL);
          if (n <= 0) break;
          sent += static_cast<std::size_t>(n);
        }
      }
      ::close(c);
    }
  }

  std::function<std::string(const std::string&)> reply_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::string last_;
  std::thread thread_;
};

std::string http_answer(int status, const std::string& body,
                        const std::string& type = "application/json") {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: " + type +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
         body;
}

RtClient client_for(const FakeRt& rt, RtSettings settings = {}) {
  RtCredentials creds;
  creds.username = "triage";
  creds.password = "pw";
  auto c = RtClient::create(rt.url(), creds, nullptr, settings);
  REQUIRE(c);
  return std::move(*c);
}

}  // namespace

TEST_CASE("RT URLs: https, or plain http to loopback only") {
  CHECK(check_rt_url("https://rt.example.com"));
  CHECK(check_rt_url("https://rt.example.com:8443/rt"));
  CHECK(check_rt_url("http://127.0.0.1:8080"));
  CHECK(check_rt_url("http://[::1]:8080"));
  CHECK(check_rt_url("http://localhost"));
  CHECK_FALSE(check_rt_url("http://rt.example.com"));
  CHECK_FALSE(check_rt_url("http://10.0.0.5"));
  CHECK_FALSE(check_rt_url("ftp://rt.example.com"));
  CHECK_FALSE(check_rt_url("https://user:pw@rt.example.com"));
  CHECK_FALSE(check_rt_url("https://rt.example.com/?q=1"));
  CHECK_FALSE(check_rt_url("https://rt.example.com/#x"));
  CHECK_FALSE(check_rt_url("https://rt example.com"));
  CHECK_FALSE(check_rt_url(""));
}

TEST_CASE("RT credentials: a token, or a user and password") {
  CHECK(parse_rt_credentials(R"({"token":"1-2-abc"})"));
  CHECK(parse_rt_credentials(R"({"username":"triage","password":"x"})"));
  CHECK_FALSE(parse_rt_credentials(R"({"username":"triage"})"));
  CHECK_FALSE(parse_rt_credentials(R"({"username":"a:b","password":"x"})"));
  CHECK_FALSE(parse_rt_credentials(R"(["token"])"));
  CHECK_FALSE(parse_rt_credentials("not json"));
  CHECK_FALSE(parse_rt_credentials(R"({"token":"line\nbreak"})"));
}

TEST_CASE("a comment is an RT comment with base64 attachments and basic auth") {
  FakeRt rt([](const std::string&) { return http_answer(201, R"(["Comments added"])"); });
  auto client = client_for(rt);
  auto r = client.comment("12", "[triage #1] diagnostics (delivery d)", "summary",
                          {{"snap.json", "application/json", std::string("{\"a\":\1}", 7)}});
  REQUIRE(r);
  const auto request = rt.last_request();
  CHECK(request.starts_with("POST /REST/2.0/ticket/12/comment HTTP/1.1"));
  CHECK(request.find("Authorization: Basic dHJpYWdlOnB3") != std::string::npos);
  const auto body = nlohmann::json::parse(request.substr(request.find("\r\n\r\n") + 4));
  CHECK(body["ContentType"] == "text/plain");
  CHECK(body["Attachments"][0]["FileName"] == "snap.json");
  CHECK(body["Attachments"][0]["FileContent"] == "eyJhIjoBfQ==");
  // Ticket ids are numbers; anything else never reaches a URL.
  CHECK_FALSE(client.comment("12/../../user", "s", "t", {}));
  CHECK_FALSE(client.comment("012", "s", "t", {}).has_value());
}

TEST_CASE("hostile RT answers are bounded failures") {
  SECTION("an oversized answer") {
    FakeRt rt([](const std::string&) {
      return http_answer(200, "{\"Status\":\"" + std::string(200'000, 'a') + "\"}");
    });
    RtSettings settings;
    settings.max_response_bytes = 64 * 1024;
    auto r = client_for(rt, settings).ticket_status("5");
    REQUIRE_FALSE(r);
    CHECK(r.error().retry);
    CHECK(r.error().detail.size() <= 200);
  }
  SECTION("not JSON") {
    FakeRt rt(
        [](const std::string&) { return http_answer(200, "<html>login</html>", "text/html"); });
    auto r = client_for(rt).ticket_status("5");
    REQUIRE_FALSE(r);
    CHECK(r.error().detail.find("not a JSON object") != std::string::npos);
  }
  SECTION("JSON of the wrong shape") {
    FakeRt rt([](const std::string&) { return http_answer(200, R"(["resolved"])"); });
    CHECK_FALSE(client_for(rt).ticket_status("5"));
    FakeRt no_status([](const std::string&) { return http_answer(200, R"({"Status": 7})"); });
    CHECK_FALSE(client_for(no_status).ticket_status("5"));
    FakeRt object_for_comment([](const std::string&) { return http_answer(201, R"({})"); });
    CHECK_FALSE(client_for(object_for_comment).comment("5", "s", "t", {}));
  }
  SECTION("no answer within the timeout") {
    FakeRt rt([](const std::string&) { return std::string(); });
    RtSettings settings;
    settings.request_timeout = 300ms;
    auto r = client_for(rt, settings).ticket_status("5");
    REQUIRE_FALSE(r);
    CHECK(r.error().retry);
    CHECK(r.error().http_status == 0);
    CHECK(r.error().detail.find("timed out") != std::string::npos);
  }
  SECTION("HTTP errors: refusals fail, the rest is retried") {
    FakeRt bad([](const std::string&) { return http_answer(400, R"({"message":"bad"})"); });
    auto r400 = client_for(bad).comment("5", "s", "t", {});
    REQUIRE_FALSE(r400);
    CHECK_FALSE(r400.error().retry);
    CHECK(rt_outcome(r400.error()).result == DeliveryResult::kFailed);
    FakeRt down([](const std::string&) { return http_answer(503, "maintenance\x01\x02"); });
    auto r503 = client_for(down).comment("5", "s", "t", {});
    REQUIRE_FALSE(r503);
    CHECK(r503.error().retry);
    CHECK(r503.error().http_status == 503);
    CHECK(r503.error().detail.find('\x01') == std::string::npos);
    FakeRt auth([](const std::string&) { return http_answer(401, "{}"); });
    CHECK(client_for(auth).comment("5", "s", "t", {}).error().retry);
  }
  SECTION("a created ticket without a valid id") {
    FakeRt rt([](const std::string&) { return http_answer(201, R"({"id":"../x"})"); });
    auto r = client_for(rt).create_ticket("General", "a@example.com", "s", "b");
    REQUIRE_FALSE(r);
    CHECK_FALSE(r.error().retry);
  }
}

TEST_CASE("RT comments: a findings summary, the snapshot and a readable rendering") {
  Enrichment e;
  e.id = 3;
  e.device_id = "dev-1";
  e.findings = nlohmann::json::array({{{"rule", "disk.low"},
                                       {"severity", "critical"},
                                       {"title", "Disk C: nearly full"},
                                       {"subject", "C:"},
                                       {"evidence", "2% free"},
                                       {"suggested_actions", {"clean temp"}}}});
  Attachment snapshot;
  snapshot.name = "diagnostics-laptop.json";
  snapshot.content = R"({"system":{}})";
  const nlohmann::json event = {
      {"type", "ticket.diagnostics"},
      {"ticket", {{"id", 42}}},
      {"data", {{"device_id", "dev-1"}, {"source", "fresh"}, {"worst_severity", "critical"}}}};
  auto c = render_rt_comment(event, "abcdef12-0000", &e, &snapshot);
  REQUIRE(c);
  CHECK(c->subject == "[triage #42] diagnostics (delivery abcdef12-0000)");
  CHECK(c->text.find("[critical] Disk C: nearly full (C:)") != std::string::npos);
  REQUIRE(c->files.size() == 2);
  CHECK(c->files[0].name == "diagnostics-laptop.json");
  CHECK(c->files[0].content == snapshot.content);
  CHECK(c->files[1].content_type == "text/plain");
  CHECK(c->files[1].content.find("evidence: 2% free") != std::string::npos);

  e.comparison = {{"cleared", e.findings}, {"remaining", nlohmann::json::array()}};
  auto v = render_rt_comment({{"type", "ticket.verification"},
                              {"ticket", {{"id", 42}}},
                              {"data", nlohmann::json::object()}},
                             "d2", &e, nullptr);
  REQUIRE(v);
  CHECK(v->text.find("Cleared since the ticket was opened: 1") != std::string::npos);

  // Notes that came from RT are not echoed back; unknown types are not sent.
  CHECK_FALSE(render_rt_comment(
      {{"type", "ticket.note_added"}, {"data", {{"note", {{"external_system", "rt"}}}}}}, "d3",
      nullptr, nullptr));
  CHECK_FALSE(render_rt_comment({{"type", "ticket.updated"}}, "d4", nullptr, nullptr));
}

TEST_CASE("RT targets get only tickets linked to their system, or help requests to open") {
  IntegrationTarget rt;
  rt.connector = "rt";
  rt.settings = {{"linked_system", "rt"}, {"create_tickets", false}};
  Ticket t;
  t.source = "endpoint";
  CHECK_FALSE(wants_ticket(rt, t, "ticket.diagnostics"));
  CHECK_FALSE(wants_ticket(rt, t, "ticket.created"));
  rt.settings["create_tickets"] = true;
  CHECK(wants_ticket(rt, t, "ticket.created"));
  t.external_system = "endpoint";  // a help request's own key: not linked to a helpdesk yet
  t.external_id = "dev-1/7";
  CHECK(wants_ticket(rt, t, "ticket.created"));
  t.external_system.clear();
  t.external_id.clear();
  CHECK_FALSE(wants_ticket(rt, t, "ticket.diagnostics"));
  t.source = "staff";
  CHECK_FALSE(wants_ticket(rt, t, "ticket.created"));
  t.external_system = "rt";
  t.external_id = "17";
  CHECK(wants_ticket(rt, t, "ticket.diagnostics"));
  t.external_system = "servicenow";
  CHECK_FALSE(wants_ticket(rt, t, "ticket.diagnostics"));
  IntegrationTarget webhook;  // no linked_system: every ticket
  CHECK(wants_ticket(webhook, t, "ticket.diagnostics"));
}
