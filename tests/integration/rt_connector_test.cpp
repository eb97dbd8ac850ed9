// The Request Tracker connector against a real RT 5 (Debian's packages) and a real collector
// on loopback: linked tickets' diagnostics arrive as internal comments with the snapshot
// attached byte for byte, a retried delivery whose comment landed is not posted again, an RT
// outage queues deliveries that complete once when RT returns, and RT's "resolved" is read
// back and triggers the verification snapshot. One RT server serves every test case of this
// binary (initializing RT takes seconds). TRIAGE_SKIP_RT=1 skips them.

#include <sys/stat.h>

#include <fstream>
#include <set>
#include <sstream>

#include <openssl/evp.h>
#include <catch2/catch.hpp>

#include "collector/integrations/rt/rt_comment.hpp"
#include "collector/integrations/rt/rt_connector.hpp"
#include "collector/storage/sqlite/sqlite_store.hpp"
#include "tests/support/collector_fixture.hpp"
#include "tests/support/rt_server.hpp"

using namespace triage::testing;
using namespace std::chrono_literals;
namespace tc = triage::collector;

namespace {

RtServer& shared_rt() {
  static std::unique_ptr<RtServer> rt;
  if (!rt) {
    rt = std::make_unique<RtServer>();
    WARN("RT: database init " << rt->init_duration.count() << " ms, start "
                              << rt->start_duration.count() << " ms");
  }
  if (!rt->running()) rt->start();
  return *rt;
}

const char* kCollectorConfig = R"(
[outbox]
retry_base_ms = 200
retry_cap_ms = 1000
poll_interval_ms = 200

[rt]
status_poll_interval_ms = 300
)";

std::string decode_base64(std::string text) {
  std::string clean;
  for (char c : text) {
    if (c != '\n' && c != '\r') clean += c;
  }
  std::string out(clean.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(clean.data()),
                          static_cast<int>(clean.size()));
  REQUIRE(n >= 0);
  std::size_t len = static_cast<std::size_t>(n);
  if (clean.ends_with("==")) {
    len -= 2;
  } else if (clean.ends_with("=")) {
    len -= 1;
  }
  out.resize(len);
  return out;
}

std::string file_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::filesystem::path fixture_machine(const std::string& name) {
  return std::filesystem::path(TRIAGE_FIXTURES_DIR) / "sysroot" / name;
}

/// Every attachment (MIME part) of the RT ticket, oldest first.
nlohmann::json rt_attachments(RtServer& rt, const std::string& ticket) {
  auto answer = rt.call("GET", "/ticket/" + ticket +
                                   "/attachments?fields=Filename,Subject,TransactionId,"
                                   "ContentType&per_page=100");
  REQUIRE(answer.status == 200);
  return answer.body["items"];
}

std::int64_t connector(CollectorFixture& c, RtServer& rt, const nlohmann::json& extra = {}) {
  nlohmann::json body = {
      {"kind", "rt"},
      {"name", "helpdesk RT"},
      {"url", rt.url()},
      {"credentials", {{"username", RtServer::kUser}, {"password", RtServer::kPassword}}}};
  for (auto& [k, v] : extra.items()) body[k] = v;
  auto created = c.post("/api/v1/connectors", body, c.admin_token());
  INFO(created.text);
  REQUIRE(created.status == 201);
  return created.body["id"].get<std::int64_t>();
}

std::int64_t new_ticket(CollectorFixture& c, const nlohmann::json& body) {
  auto r = c.post("/api/v1/tickets", body, c.admin_token());
  INFO(r.text);
  REQUIRE(r.status == 201);
  return r.body["id"].get<std::int64_t>();
}

void link(CollectorFixture& c, std::int64_t ticket, std::int64_t connector_id,
          const std::string& rt_ticket) {
  auto r = c.post("/api/v1/tickets/" + std::to_string(ticket) + "/external-links",
                  {{"connector", connector_id}, {"external_id", rt_ticket}}, c.admin_token());
  INFO(r.text);
  REQUIRE(r.status == 200);
}

nlohmann::json deliveries(CollectorFixture& c, std::int64_t connector_id,
                          const std::string& status = "") {
  auto r = c.get("/api/v1/connectors/" + std::to_string(connector_id) + "/deliveries" +
                     (status.empty() ? "" : "?status=" + status),
                 c.admin_token());
  REQUIRE(r.status == 200);
  return r.body["deliveries"];
}

}  // namespace

TEST_CASE("a linked ticket's diagnostics become an internal RT comment with the snapshot",
          "[rt][integration]") {
  if (rt_tests_skipped()) return;
  RtServer& rt = shared_rt();
  CollectorFixture c(kCollectorConfig);
  AgentFixture agent(c, "laptop");
  REQUIRE(agent.enroll().exit_code == 0);
  const auto device = agent.device_id();
  agent.start({"--sysroot", fixture_machine("laptop").string()});
  REQUIRE(eventually([&] { return device_online(c, device); }));

  const auto id = connector(c, rt, {{"poll_status", true}});
  // Credentials are write-only and sealed at rest.
  auto shown = c.get("/api/v1/connectors/" + std::to_string(id), c.admin_token());
  REQUIRE(shown.status == 200);
  CHECK(shown.body["has_credentials"] == true);
  CHECK(shown.body["credentials_encrypted"] == true);
  CHECK_FALSE(shown.body.contains("credentials"));
  CHECK(shown.text.find(RtServer::kPassword) == std::string::npos);
  // RT's password is the word "password": look for it as a credential's value, since the word
  // itself is in the store anyway (a staff sign-in's method is "password").
  for (const char* file : {"collector.db", "collector.db-wal"}) {
    INFO(file);
    const auto text = file_text(c.data_dir() / file);
    CHECK(text.find("\"password\":\"password\"") == std::string::npos);
    CHECK(text.find("\"password\": \"password\"") == std::string::npos);
  }
  struct stat st {};
  REQUIRE(::stat((c.data_dir() / "integrations.key").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  const auto rt_ticket = rt.create_ticket("Laptop is slow", "alice@example.com");
  const auto ticket = new_ticket(c, {{"title", "Laptop is slow"}, {"device_id", device}});
  auto diagnostics_of_ticket = [&] {
    std::vector<nlohmann::json> out;
    auto view = c.get("/api/v1/tickets/" + std::to_string(ticket), c.admin_token());
    for (const auto& a : view.body["attachments"]) {
      if (a["kind"] == "diagnostics") out.push_back(a);
    }
    return out;
  };
  // Only diagnostics taken after the link go to RT: let the creation's enrichment land first,
  // so which of them go is decided by the test, not by how fast the machine is.
  REQUIRE(eventually([&] { return !diagnostics_of_ticket().empty(); }, 60s));
  std::set<std::string> before_link;
  for (const auto& a : diagnostics_of_ticket()) before_link.insert(a["url"].get<std::string>());
  link(c, ticket, id, rt_ticket);
  REQUIRE(c.post("/api/v1/tickets/" + std::to_string(ticket) + "/diagnostics",
                 nlohmann::json::object(), c.admin_token())
              .status == 202);
  // Wait until the refresh is attached and delivered, then find its exact bytes in RT.
  auto after_link = [&] {
    std::vector<nlohmann::json> out;
    for (auto& a : diagnostics_of_ticket()) {
      if (!before_link.count(a["url"].get<std::string>())) out.push_back(std::move(a));
    }
    return out;
  };
  REQUIRE(eventually(
      [&] {
        std::size_t delivered = 0;
        for (const auto& d : deliveries(c, id, "delivered")) {
          if (d["event_type"] == "ticket.diagnostics") ++delivered;
        }
        const auto attached = after_link().size();
        return attached > 0 && delivered >= attached;
      },
      60s));
  const auto attached = after_link();
  REQUIRE_FALSE(attached.empty());
  nlohmann::json found;
  for (const auto& meta : attached) {
    const std::string name = meta["name"];
    auto sent = c.get(meta["url"].get<std::string>(), c.admin_token());
    REQUIRE(sent.status == 200);
    bool same_bytes = false;
    for (const auto& a : rt_attachments(rt, rt_ticket)) {
      if (a["Filename"] != name) continue;
      auto attachment = rt.call("GET", "/attachment/" + a["id"].get<std::string>());
      REQUIRE(attachment.status == 200);
      if (decode_base64(attachment.body["Content"].get<std::string>()) == sent.text) {
        same_bytes = true;
        found = a;
      }
    }
    INFO("snapshot " << name);
    CHECK(same_bytes);
  }
  REQUIRE(found.is_object());
  // The comment is internal: an RT Comment transaction, never a Correspond to the requester.
  const auto tx = found["TransactionId"].is_object()
                      ? found["TransactionId"]["id"].get<std::string>()
                      : found["TransactionId"].get<std::string>();
  auto transaction = rt.call("GET", "/transaction/" + tx);
  REQUIRE(transaction.status == 200);
  CHECK(transaction.body["Type"] == "Comment");
  // The readable findings travel next to the snapshot.
  bool findings_text = false;
  for (const auto& a : rt_attachments(rt, rt_ticket)) {
    const std::string filename = a["Filename"];
    if (filename.ends_with("-findings.txt")) findings_text = true;
  }
  CHECK(findings_text);

  // Resolved in RT: the collector reads it back, resolves, and the verification comparison
  // goes back to RT as another comment.
  auto resolved = rt.call("PUT", "/ticket/" + rt_ticket, nlohmann::json{{"Status", "resolved"}});
  INFO(resolved.text);
  REQUIRE(resolved.status == 200);
  REQUIRE(eventually(
      [&] {
        auto t = c.get("/api/v1/tickets/" + std::to_string(ticket), c.admin_token());
        return t.body["status"] == "resolved";
      },
      60s));
  REQUIRE(eventually(
      [&] {
        for (const auto& a : rt_attachments(rt, rt_ticket)) {
          const std::string subject = a["Subject"];
          if (subject.find("] verification (delivery") != std::string::npos) return true;
        }
        return false;
      },
      90s));
}

TEST_CASE("an RT outage queues deliveries that complete once when RT returns",
          "[rt][integration]") {
  if (rt_tests_skipped()) return;
  RtServer& rt = shared_rt();
  CollectorFixture c(kCollectorConfig);
  const auto id = connector(c, rt, {{"events", {"ticket.note_added"}}});
  const auto rt_ticket = rt.create_ticket("Printer jams", "bob@example.com");
  const auto ticket = new_ticket(c, {{"title", "Printer jams"}});
  link(c, ticket, id, rt_ticket);

  rt.stop();
  auto note = c.post("/api/v1/tickets/" + std::to_string(ticket) + "/notes",
                     {{"text", "Drum replaced; waiting for the user"}, {"visibility", "internal"}},
                     c.admin_token());
  REQUIRE(note.status == 201);
  nlohmann::json pending;
  REQUIRE(eventually(
      [&] {
        auto list = deliveries(c, id, "pending");
        if (list.empty() || list[0]["attempts"].get<int>() < 2) return false;
        pending = list[0];
        return true;
      },
      30s));
  CHECK_FALSE(pending["last_error"].is_null());

  rt.start();
  REQUIRE(eventually([&] { return deliveries(c, id, "pending").empty(); }, 60s));
  auto done = deliveries(c, id, "delivered");
  REQUIRE(done.size() == 1);
  const auto subject =
      tc::rt_comment_subject(ticket, "ticket.note_added", done[0]["id"].get<std::string>());
  int comments = 0;
  for (const auto& a : rt_attachments(rt, rt_ticket)) comments += a["Subject"] == subject;
  CHECK(comments == 1);
}

TEST_CASE("a retried delivery whose comment landed is not posted again", "[rt][integration]") {
  if (rt_tests_skipped()) return;
  RtServer& rt = shared_rt();
  TempDir dir;
  auto store = tc::SqliteStore::open((dir.path() / "c.db").string());
  REQUIRE(store);
  tc::RtConnector rt_connector(**store, nullptr, tc::RtSettings{}, nullptr);
  const auto rt_ticket = rt.create_ticket("Mail does not sync", "carol@example.com");

  tc::IntegrationTarget target;
  target.id = 7;
  target.connector = "rt";
  target.url = rt.url();
  target.secret = nlohmann::json{{"username", "root"}, {"password", "password"}}.dump();
  target.settings = {{"linked_system", "rt"}};
  tc::OutboxMessage message;
  message.delivery_id = "0f5f8a5e-2b7c-4c61-9d0e-3a1f2b3c4d5e";
  message.event_type = "ticket.note_added";
  message.ticket_id = 42;
  message.attempts = 1;
  message.payload =
      nlohmann::json{
          {"id", "e1"},
          {"type", "ticket.note_added"},
          {"actor", "tom"},
          {"ticket", {{"id", 42}, {"external", {{"system", "rt"}, {"id", rt_ticket}}}}},
          {"data", {{"note", {{"text", "Profile rebuilt"}, {"visibility", "internal"}}}}}}
          .dump();
  const auto now = std::chrono::system_clock::now();
  auto first = rt_connector.deliver(target, message, now);
  INFO(first.detail);
  REQUIRE(first.result == tc::DeliveryResult::kDelivered);
  // The same delivery again, as after a timeout whose request did land.
  message.attempts = 2;
  auto again = rt_connector.deliver(target, message, now);
  CHECK(again.result == tc::DeliveryResult::kDelivered);
  CHECK(again.detail.find("already in RT") != std::string::npos);
  const auto subject = tc::rt_comment_subject(42, "ticket.note_added", message.delivery_id);
  int comments = 0;
  for (const auto& a : rt_attachments(rt, rt_ticket)) comments += a["Subject"] == subject;
  CHECK(comments == 1);

  // Wrong credentials are retried (an admin can fix them), not dropped.
  target.secret = nlohmann::json{{"username", "root"}, {"password", "wrong"}}.dump();
  message.delivery_id = "1f5f8a5e-2b7c-4c61-9d0e-3a1f2b3c4d5e";
  message.attempts = 1;
  auto denied = rt_connector.deliver(target, message, now);
  CHECK(denied.result == tc::DeliveryResult::kRetry);
  CHECK(denied.http_status == 401);
}

TEST_CASE("a help request from an endpoint opens a linked RT ticket with its diagnostics",
          "[rt][integration]") {
  if (rt_tests_skipped()) return;
  RtServer& rt = shared_rt();
  CollectorFixture c(kCollectorConfig);
  AgentFixture agent(c, "desk");
  REQUIRE(agent.enroll().exit_code == 0);
  const auto device = agent.device_id();
  agent.start();
  REQUIRE(eventually([&] { return device_online(c, device); }));
  const auto id =
      connector(c, rt,
                {{"queue", "General"},
                 {"create_tickets", true},
                 {"events", {"ticket.created", "ticket.diagnostics", "ticket.verification"}}});
  auto r = run_command(
      {binary("triage-agent"), "get-help", "--state", agent.state_dir().string(), "--config",
       agent.config_path().string(), "--wait", "20", "the VPN drops every hour"},
      c.root());
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  auto list = c.get("/api/v1/tickets?device_id=" + device, c.admin_token()).body;
  REQUIRE(list["total"] == 1);
  const auto ticket = list["tickets"][0]["id"].get<std::int64_t>();
  const std::string requester = list["tickets"][0]["requester"];

  nlohmann::json linked;
  INFO("deliveries: "
       << c.get("/api/v1/connectors/" + std::to_string(id) + "/deliveries", c.admin_token()).text);
  REQUIRE(eventually(
      [&] {
        linked = c.get("/api/v1/tickets/" + std::to_string(ticket), c.admin_token()).body;
        return linked.contains("external") && linked["external"]["system"] == "rt";
      },
      60s));
  const std::string rt_ticket = linked["external"]["id"];
  auto shown = rt.call("GET", "/ticket/" + rt_ticket);
  REQUIRE(shown.status == 200);
  CHECK(shown.body["Subject"] ==
        "[triage #" + std::to_string(ticket) + "] the VPN drops every hour");
  CHECK(shown.body["Queue"]["id"] == "1");
  CHECK(shown.text.find(requester) != std::string::npos);
  // Its diagnostics reach the RT ticket, attached before or after the link.
  REQUIRE(eventually(
      [&] {
        for (const auto& a : rt_attachments(rt, rt_ticket)) {
          const std::string name = a["Filename"];
          if (name.starts_with("diagnostics-") && name.ends_with(".json")) return true;
        }
        return false;
      },
      60s));
  CHECK(deliveries(c, id, "failed").empty());
}
