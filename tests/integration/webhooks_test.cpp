// Outbound webhooks against a real collector process and a real HTTPS receiver on loopback
// (trusted through the collector's extra CA file): deliveries are signed, arrive once each,
// never carry internal notes to a subscription that is not internal, survive a receiver that
// fails or is down and a collector killed with -9, and only admins manage subscriptions.

#include <openssl/evp.h>

#include <catch2/catch.hpp>

#include <set>

#include "tests/support/collector_fixture.hpp"
#include "tests/support/https_receiver.hpp"

using namespace triage::testing;
using namespace std::chrono_literals;

namespace {

// The receiver's side of the contract, written independently of the collector's code.
std::string hmac_hex(const std::string& key, const std::string& message) {
  unsigned char out[EVP_MAX_MD_SIZE];
  size_t n = 0;
  REQUIRE(EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(),
                    reinterpret_cast<const unsigned char*>(message.data()), message.size(), out,
                    sizeof out, &n) != nullptr);
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  for (size_t i = 0; i < n; ++i) {
    hex += kHex[out[i] >> 4];
    hex += kHex[out[i] & 15];
  }
  return hex;
}

void check_signed(const ReceivedRequest& r, const std::string& secret) {
  INFO(r.body);
  CHECK(r.method == "POST");
  CHECK(r.headers.at("content-type") == "application/json");
  const auto& ts = r.headers.at("x-triage-timestamp");
  CHECK(r.headers.at("x-triage-signature") == "sha256=" + hmac_hex(secret, ts + "." + r.body));
  const auto sent = std::chrono::system_clock::time_point(std::chrono::seconds(std::stoll(ts)));
  CHECK(std::chrono::abs(std::chrono::system_clock::now() - sent) < 5min);
  auto body = nlohmann::json::parse(r.body);
  CHECK(r.headers.at("x-triage-event") == body["type"]);
  CHECK_FALSE(r.headers.at("x-triage-delivery").empty());
}

// Short timeouts. The outbox lease (how long a delivery caught in flight by a crash waits) is
// sized for the slowest connector: RT's three calls count too, so its timeout is short here.
std::string config(const std::filesystem::path& ca_file) {
  return "[webhooks]\nextra_ca_file = \"" + ca_file.string() +
         "\"\nconnect_timeout_ms = 1000\nrequest_timeout_ms = 2000\n"
         "[rt]\nconnect_timeout_ms = 1000\nrequest_timeout_ms = 1000\n"
         "[outbox]\nretry_base_ms = 100\nretry_cap_ms = 400\npoll_interval_ms = 200\n";
}

struct Webhook {
  std::int64_t id = 0;
  std::string secret;
};

Webhook subscribe(CollectorFixture& c, const std::string& url, const nlohmann::json& events,
                  bool internal = false) {
  auto res = c.post("/api/v1/webhooks", {{"url", url}, {"events", events}, {"internal", internal}},
                    c.admin_token());
  INFO(res.text);
  REQUIRE(res.status == 201);
  return {res.body["id"].get<std::int64_t>(), res.body["secret"].get<std::string>()};
}

nlohmann::json deliveries(CollectorFixture& c, std::int64_t id) {
  auto res = c.get("/api/v1/webhooks/" + std::to_string(id) + "/deliveries", c.admin_token());
  REQUIRE(res.status == 200);
  return res.body["deliveries"];
}

bool all_delivered(CollectorFixture& c, std::int64_t id, std::size_t n) {
  auto list = deliveries(c, id);
  if (list.size() != n) return false;
  for (const auto& d : list) {
    if (d["status"] != "delivered") return false;
  }
  return true;
}

std::vector<ReceivedRequest> to_path(const HttpsReceiver& r, const std::string& path) {
  std::vector<ReceivedRequest> out;
  for (auto& req : r.requests()) {
    if (req.target == path) out.push_back(req);
  }
  return out;
}

std::int64_t create_ticket(CollectorFixture& c, const std::string& title) {
  auto res = c.post("/api/v1/tickets", {{"title", title}, {"requester", "alice@example.com"}},
                    c.admin_token());
  REQUIRE(res.status == 201);
  return res.body["id"].get<std::int64_t>();
}

std::size_t accepted_count(const HttpsReceiver& r, const std::string& event_id) {
  std::size_t n = 0;
  for (const auto& req : r.requests()) {
    auto body = nlohmann::json::parse(req.body, nullptr, false);
    if (!body.is_discarded() && body.value("id", "") == event_id && req.answered < 300) ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("webhooks: signed, once each, internal notes only to internal subscriptions",
          "[integration]") {
  TempDir tmp;
  HttpsReceiver receiver(tmp.path() / "receiver-ca.pem");
  receiver.start();
  CollectorFixture collector(config(tmp.path() / "receiver-ca.pem"));
  const auto& admin = collector.admin_token();

  auto pub =
      subscribe(collector, receiver.url("/public"),
                {"ticket.created", "ticket.note_added", "ticket.status_changed", "ticket.updated"});
  auto internal = subscribe(collector, receiver.url("/internal"),
                            {"ticket.note_added", "ticket.escalated"}, true);
  CHECK(pub.secret.rfind("whsec_", 0) == 0);
  CHECK(pub.secret != internal.secret);
  // The secret is shown once: never by a GET.
  auto listed = collector.get("/api/v1/webhooks", admin);
  REQUIRE(listed.status == 200);
  CHECK(listed.body["webhooks"].size() == 2);
  CHECK(listed.text.find(pub.secret) == std::string::npos);
  auto one = collector.get("/api/v1/webhooks/" + std::to_string(pub.id), admin);
  CHECK(one.status == 200);
  CHECK_FALSE(one.body.contains("secret"));
  CHECK(one.text.find(pub.secret) == std::string::npos);

  const auto ticket = create_ticket(collector, "Printer on floor 2 jams");
  const auto base = "/api/v1/tickets/" + std::to_string(ticket);
  REQUIRE(
      collector.post(base + "/notes", {{"text", "We are on it"}, {"visibility", "public"}}, admin)
          .status == 201);
  REQUIRE(
      collector.post(base + "/notes", {{"text", "SECRET-INTERNAL-NOTE admin pw on desk"}}, admin)
          .status == 201);
  REQUIRE(collector.post(base + "/escalate", {{"reason", "hardware swap needed"}}, admin).status ==
          200);
  REQUIRE(collector.patch(base, {{"priority", 1}, {"assignee", "admin"}}, admin).status == 200);

  // Public: created, public note, ticket.updated (priority), status new→open (assigning).
  // Internal: both notes and the escalation.
  REQUIRE(eventually([&] { return all_delivered(collector, pub.id, 4); }));
  REQUIRE(eventually([&] { return all_delivered(collector, internal.id, 3); }));

  auto public_requests = to_path(receiver, "/public");
  REQUIRE(public_requests.size() == 4);  // once each: nothing delivered twice
  std::set<std::string> types, ids, delivery_ids;
  for (const auto& r : public_requests) {
    check_signed(r, pub.secret);
    auto body = nlohmann::json::parse(r.body);
    types.insert(body["type"]);
    ids.insert(body["id"]);
    delivery_ids.insert(r.headers.at("x-triage-delivery"));
    CHECK(body["ticket"]["id"] == ticket);
    CHECK(r.body.find("SECRET-INTERNAL-NOTE") == std::string::npos);
    CHECK(r.body.find("hardware swap") == std::string::npos);
    CHECK_FALSE(body["ticket"].contains("assignee"));
    CHECK_FALSE(body["ticket"].contains("tier"));
  }
  CHECK(types == std::set<std::string>{"ticket.created", "ticket.note_added", "ticket.updated",
                                       "ticket.status_changed"});
  CHECK(ids.size() == 4);
  CHECK(delivery_ids.size() == 4);

  auto internal_requests = to_path(receiver, "/internal");
  REQUIRE(internal_requests.size() == 3);
  bool saw_internal_note = false;
  for (const auto& r : internal_requests) {
    check_signed(r, internal.secret);
    // Signed with its own secret, not the other subscription's.
    CHECK(r.headers.at("x-triage-signature") !=
          "sha256=" + hmac_hex(pub.secret, r.headers.at("x-triage-timestamp") + "." + r.body));
    saw_internal_note |= r.body.find("SECRET-INTERNAL-NOTE") != std::string::npos;
  }
  CHECK(saw_internal_note);

  auto log = deliveries(collector, pub.id);
  for (const auto& d : log) {
    CHECK(d["attempts"] == 1);
    CHECK(d["last_http_status"] == 200);
    CHECK(d["next_attempt_at"].is_null());
  }
  auto metrics = collector.get("/metrics", collector.metrics_token());
  CHECK_THAT(metrics.text,
             Catch::Contains("triage_outbox_attempts_total{outcome=\"delivered\"} 7"));
  CHECK_THAT(metrics.text, Catch::Contains("triage_outbox_pending"));
}

TEST_CASE("webhooks: a failing or absent receiver gets retries until it takes it, once",
          "[integration]") {
  TempDir tmp;
  HttpsReceiver receiver(tmp.path() / "receiver-ca.pem");
  // The collector starts first: a child process started later would inherit the receiver's
  // listening socket and keep the port open while the receiver is "down".
  CollectorFixture collector(config(tmp.path() / "receiver-ca.pem"));
  collector.admin_token();
  receiver.start();
  auto hook = subscribe(collector, receiver.url(), {"ticket.created", "ticket.note_added"});

  // 500s: retried with backoff, the log shows why.
  receiver.set_status(500);
  const auto ticket = create_ticket(collector, "VPN drops");
  REQUIRE(eventually([&] {
    auto log = deliveries(collector, hook.id);
    return log.size() == 1 && log[0]["attempts"].get<int>() >= 3;
  }));
  auto log = deliveries(collector, hook.id);
  CHECK(log[0]["status"] == "pending");
  CHECK(log[0]["last_http_status"] == 500);
  CHECK_THAT(log[0]["last_error"].get<std::string>(), Catch::Contains("HTTP 500"));
  CHECK_FALSE(log[0]["next_attempt_at"].is_null());
  const auto first_event = nlohmann::json::parse(receiver.requests().front().body)["id"];
  receiver.set_status(200);
  REQUIRE(eventually([&] { return all_delivered(collector, hook.id, 1); }));
  CHECK(accepted_count(receiver, first_event) == 1);

  // Down: nothing listens on the port.
  receiver.stop();
  REQUIRE(collector
              .post("/api/v1/tickets/" + std::to_string(ticket) + "/notes",
                    {{"text", "Rebooted the router"}, {"visibility", "public"}},
                    collector.admin_token())
              .status == 201);
  REQUIRE(eventually([&] {
    auto l = deliveries(collector, hook.id);
    return l.size() == 2 && l[0]["attempts"].get<int>() >= 2;
  }));
  log = deliveries(collector, hook.id);
  CHECK(log[0]["status"] == "pending");
  CHECK(log[0]["last_http_status"].is_null());
  CHECK_THAT(log[0]["last_error"].get<std::string>(), Catch::Contains("connect"));
  const auto before = receiver.request_count();
  receiver.start();  // back, same port
  REQUIRE(eventually([&] { return all_delivered(collector, hook.id, 2); }));
  auto requests = receiver.requests();
  REQUIRE(requests.size() == before + 1);
  check_signed(requests.back(), hook.secret);
  CHECK_THAT(requests.back().body, Catch::Contains("Rebooted the router"));
}

TEST_CASE("webhooks: pending deliveries survive kill -9 of the collector", "[integration]") {
  TempDir tmp;
  HttpsReceiver receiver(tmp.path() / "receiver-ca.pem");
  receiver.start();
  CollectorFixture collector(config(tmp.path() / "receiver-ca.pem"));
  auto hook = subscribe(collector, receiver.url(), {"ticket.created"});

  receiver.set_status(503);
  create_ticket(collector, "Outlook crashes");
  create_ticket(collector, "Teams has no sound");
  REQUIRE(eventually([&] {
    auto log = deliveries(collector, hook.id);
    return log.size() == 2 && log[1]["attempts"].get<int>() >= 1;
  }));
  collector.process().kill_hard();
  receiver.set_status(200);
  collector.start();
  // A delivery caught in flight by the kill waits for its lease (timeouts + 10 s = 13 s here).
  const bool delivered = eventually([&] { return all_delivered(collector, hook.id, 2); }, 60s);
  if (!delivered) {
    WARN(deliveries(collector, hook.id).dump());
    WARN(collector.process().stderr_text());
    WARN(receiver.requests().size());
  }
  REQUIRE(delivered);
  std::set<std::string> titles;
  for (const auto& r : receiver.requests()) {
    if (r.answered != 200) continue;
    check_signed(r, hook.secret);
    titles.insert(nlohmann::json::parse(r.body)["ticket"]["title"].get<std::string>());
  }
  CHECK(titles == std::set<std::string>{"Outlook crashes", "Teams has no sound"});
  // In order: a subscription's deliveries go one at a time, oldest first. A request the
  // receiver took while the collector died is sent again after the restart (at least once):
  // the event id tells it is the same.
  std::vector<std::string> accepted;
  std::set<std::string> event_ids;
  for (const auto& r : receiver.requests()) {
    if (r.answered == 200) {
      auto body = nlohmann::json::parse(r.body);
      accepted.push_back(body["ticket"]["title"].get<std::string>());
      event_ids.insert(body["id"].get<std::string>());
    }
  }
  REQUIRE(accepted.size() >= 2);
  CHECK(accepted.size() <= 3);
  CHECK(event_ids.size() == 2);
  CHECK(accepted[0] == "Outlook crashes");
}

TEST_CASE("webhooks: refused messages fail at once, 410 deactivates, redeliver and ping",
          "[integration]") {
  TempDir tmp;
  HttpsReceiver receiver(tmp.path() / "receiver-ca.pem");
  receiver.start();
  CollectorFixture collector(config(tmp.path() / "receiver-ca.pem"));
  const auto& admin = collector.admin_token();
  auto hook = subscribe(collector, receiver.url(), {"ticket.created"});
  const auto path = "/api/v1/webhooks/" + std::to_string(hook.id);

  receiver.set_status(422);
  create_ticket(collector, "Keyboard sticky");
  REQUIRE(eventually([&] {
    auto log = deliveries(collector, hook.id);
    return log.size() == 1 && log[0]["status"] == "failed";
  }));
  auto failed = deliveries(collector, hook.id)[0];
  CHECK(failed["attempts"] == 1);
  CHECK(failed["last_http_status"] == 422);
  const auto did = failed["id"].get<std::string>();

  auto detail = collector.get(path + "/deliveries/" + did, admin);
  REQUIRE(detail.status == 200);
  CHECK(detail.body["payload"]["type"] == "ticket.created");
  CHECK(detail.body["payload"]["id"] == failed["event_id"]);

  receiver.set_status(200);
  auto again =
      collector.post(path + "/deliveries/" + did + "/redeliver", nlohmann::json::object(), admin);
  INFO(again.text);
  REQUIRE(again.status == 202);
  REQUIRE(eventually([&] { return all_delivered(collector, hook.id, 1); }));
  CHECK(accepted_count(receiver, failed["event_id"]) == 1);
  // A delivered one can be sent again too; a pending one is still on its way (409).
  CHECK(
      collector.post(path + "/deliveries/nope/redeliver", nlohmann::json::object(), admin).status ==
      404);

  // Ping checks the receiver from the admin's side.
  auto ping = collector.post(path + "/ping", nlohmann::json::object(), admin);
  REQUIRE(ping.status == 202);
  REQUIRE(eventually([&] { return all_delivered(collector, hook.id, 2); }));
  CHECK(nlohmann::json::parse(receiver.requests().back().body)["type"] == "ping");

  // 410 Gone: the subscription is deactivated with the reason; nothing more is sent.
  receiver.set_status(410);
  create_ticket(collector, "Monitor flickers");
  REQUIRE(eventually([&] { return collector.get(path, admin).body["active"] == false; }));
  auto gone = collector.get(path, admin);
  CHECK_THAT(gone.body["disabled_reason"].get<std::string>(), Catch::Contains("410"));
  const auto count = receiver.request_count();
  create_ticket(collector, "Mouse dead");
  // Reactivated: new events flow again (the one made while inactive was never queued).
  receiver.set_status(200);
  auto on = collector.patch(path, {{"active", true}}, admin);
  REQUIRE(on.status == 200);
  CHECK(on.body["disabled_reason"].is_null());
  create_ticket(collector, "Dock not charging");
  REQUIRE(eventually([&] { return receiver.request_count() == count + 1; }));
  CHECK_THAT(receiver.requests().back().body, Catch::Contains("Dock not charging"));
}

TEST_CASE("webhooks: only admins manage them, with strict input", "[integration]") {
  CollectorFixture collector;
  const auto& admin = collector.admin_token();
  const auto viewer = collector.login_as("lena", "viewer");
  const auto tech = collector.login_as("tom", "technician");
  const nlohmann::json body = {{"url", "https://hooks.example.com/x"},
                               {"events", {"ticket.created"}}};
  for (const auto& token : {viewer, tech}) {
    CHECK(collector.post("/api/v1/webhooks", body, token).status == 403);
    CHECK(collector.get("/api/v1/webhooks", token).status == 403);
    CHECK(collector.get("/api/v1/webhooks/1/deliveries", token).status == 403);
  }
  CHECK(collector.get("/api/v1/webhooks").status == 401);

  auto expect_400 = [&](const nlohmann::json& b, const std::string& mention) {
    auto r = collector.post("/api/v1/webhooks", b, admin);
    INFO(b.dump() << " -> " << r.text);
    CHECK(r.status == 400);
    CHECK_THAT(r.text, Catch::Contains(mention));
  };
  expect_400({{"url", "http://hooks.example.com/x"}, {"events", {"ticket.created"}}}, "https://");
  expect_400({{"url", "https://hooks.example.com/x"}, {"events", {"ticket.escalated"}}},
             "internal");
  expect_400({{"url", "https://hooks.example.com/x"}, {"events", {"ticket.bogus"}}}, "unknown");
  expect_400({{"url", "https://hooks.example.com/x"}, {"events", nlohmann::json::array()}},
             "at least one");
  expect_400(
      {{"url", "https://hooks.example.com/x"}, {"events", {"ticket.created"}}, {"secret", "x"}},
      "secret");

  auto created = collector.post("/api/v1/webhooks", body, admin);
  REQUIRE(created.status == 201);
  const auto path = "/api/v1/webhooks/" + created.body["id"].dump();
  CHECK(collector.patch(path, {{"events", {"ticket.diagnostics"}}}, admin).status == 400);
  auto internal =
      collector.patch(path, {{"events", {"ticket.diagnostics"}}, {"internal", true}}, admin);
  CHECK(internal.status == 200);
  auto rotated = collector.post(path + "/secret", nlohmann::json::object(), admin);
  REQUIRE(rotated.status == 200);
  CHECK(rotated.body["secret"] != created.body["secret"]);
  auto types = collector.get("/api/v1/webhooks/event-types", admin);
  CHECK(types.status == 200);
  CHECK(types.body["event_types"].size() >= 7);
  auto removed = collector.send(triage::transport::http::verb::delete_, path, "",
                                {{"Authorization", "Bearer " + admin}});
  CHECK(removed.status == 204);
  CHECK(collector.get(path, admin).status == 404);
}
