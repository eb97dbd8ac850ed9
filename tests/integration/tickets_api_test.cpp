// Tickets over real HTTPS against a real collector process: lifecycle, timeline, views,
// strict input, paging, roles; and enrichment end to end with real agents (fresh snapshot
// when online, the stored one labelled with its age when offline, verification on resolve,
// help requests from the endpoint, fleet findings).

#include <catch2/catch.hpp>

#include "shared/pki/secrets.hpp"
#include "tests/support/collector_fixture.hpp"

using namespace triage::testing;
using namespace std::chrono_literals;
namespace http = triage::transport::http;

namespace {

std::string path(std::int64_t id, const std::string& rest = "") {
  return "/api/v1/tickets/" + std::to_string(id) + rest;
}

std::int64_t create(CollectorFixture& c, const nlohmann::json& body, const std::string& token) {
  auto r = c.post("/api/v1/tickets", body, token);
  INFO(r.text);
  REQUIRE(r.status == 201);
  return r.body["id"].get<std::int64_t>();
}

const nlohmann::json* find_event(const nlohmann::json& ticket, const std::string& kind) {
  for (const auto& e : ticket["timeline"]) {
    if (e["kind"] == kind) return &e;
  }
  return nullptr;
}

std::string error_code(const ApiResponse& r) {
  if (r.body.is_discarded() || !r.body.contains("error")) return "(no JSON error)";
  return r.body["error"]["code"].get<std::string>();
}

/// Waits until the ticket has `count` diagnostics entries; returns the ticket.
nlohmann::json wait_for_diagnostics(CollectorFixture& c, std::int64_t id, std::size_t count,
                                    const std::string& token) {
  nlohmann::json ticket;
  REQUIRE(eventually(
      [&] {
        ticket = c.get(path(id), token).body;
        return ticket.contains("diagnostics") && ticket["diagnostics"].size() >= count;
      },
      30s));
  return ticket;
}

std::filesystem::path fixture_machine(const std::string& name) {
  return std::filesystem::path(TRIAGE_FIXTURES_DIR) / "sysroot" / name;
}

}  // namespace

TEST_CASE("a ticket's lifecycle: create, queue, notes, time, escalation, resolve, close",
          "[integration][tickets]") {
  CollectorFixture c;
  const auto admin = c.admin_token();
  const auto l1 = c.login_as("lena", "viewer");
  const auto l2 = c.login_as("tom", "technician");

  auto created = c.post("/api/v1/tickets",
                        {{"title", "Laptop is slow"},
                         {"description", "Since the update yesterday."},
                         {"requester", "alice@example.com"},
                         {"priority", "P2"}},
                        l1);
  REQUIRE(created.status == 201);
  const auto id = created.body["id"].get<std::int64_t>();
  CHECK(created.body["status"] == "new");
  CHECK(created.body["priority"] == "P2");
  CHECK(created.body["tier"] == "L1");
  CHECK(created.body["created_by"] == "lena");
  CHECK(created.body["sla"]["response"] == "ok");
  // P2: resolution due 8 h after creation by default.
  CHECK(created.body["due_at"].get<std::string>() > created.body["created_at"].get<std::string>());
  REQUIRE(find_event(created.body, "created") != nullptr);

  // L1 documents the work: an internal note, a public reply, time spent.
  CHECK(c.post(path(id, "/notes"), {{"text", "Checked task manager remotely"}}, l1).status == 201);
  auto reply = c.post(path(id, "/notes"),
                      {{"text", "We are looking into it."}, {"visibility", "public"}}, l1);
  CHECK(reply.status == 201);
  CHECK(c.post(path(id, "/time"), {{"minutes", 15}, {"note", "first look"}}, l1).status == 201);

  // L1 cannot change fields; L2 can.
  CHECK(c.patch(path(id), {{"status", "open"}}, l1).status == 403);
  auto opened = c.patch(path(id), {{"assignee", "tom"}}, l2);
  REQUIRE(opened.status == 200);
  CHECK(opened.body["status"] == "open");  // assigning a new ticket opens it
  CHECK(opened.body["assignee"] == "tom");
  CHECK_FALSE(opened.body["first_response_at"].is_null());  // the public reply counted

  // Escalation needs a reason, raises the tier and unassigns.
  CHECK(c.post(path(id, "/escalate"), nlohmann::json::object(), l2).status == 400);
  auto escalated =
      c.post(path(id, "/escalate"), {{"reason", "needs a BIOS update, over an hour"}}, l2);
  REQUIRE(escalated.status == 200);
  CHECK(escalated.body["tier"] == "L2");
  CHECK(escalated.body["assignee"].is_null());
  const auto* escalation = find_event(escalated.body, "escalation");
  REQUIRE(escalation != nullptr);
  CHECK((*escalation)["data"]["from"] == 1);
  CHECK((*escalation)["data"]["to"] == 2);
  CHECK((*escalation)["data"]["reason"] == "needs a BIOS update, over an hour");
  CHECK(c.post(path(id, "/escalate"), {{"reason", "x"}, {"to_tier", "L1"}}, l2).status == 409);

  // Lifecycle: closed only after resolved; closed is final.
  CHECK(c.patch(path(id), {{"status", "closed"}}, l2).status == 409);
  auto resolved = c.patch(path(id), {{"status", "resolved"}, {"reason", "BIOS updated"}}, l2);
  REQUIRE(resolved.status == 200);
  CHECK(resolved.body["sla"]["resolution"] == "met");
  CHECK(c.patch(path(id), {{"status", "closed"}}, l2).status == 200);
  auto again = c.patch(path(id), {{"status", "open"}}, admin);
  CHECK(again.status == 409);
  CHECK(error_code(again) == "conflict");
  CHECK(c.post(path(id, "/notes"), {{"text", "late"}}, l1).status == 409);
  CHECK(c.post(path(id, "/time"), {{"minutes", 5}}, l1).status == 409);
  CHECK(c.post(path(id, "/diagnostics"), nlohmann::json::object(), l2).status == 409);

  auto detail = c.get(path(id), l1).body;
  CHECK(detail["time_spent_minutes"] == 15);
  std::vector<std::string> kinds;
  for (const auto& e : detail["timeline"]) kinds.push_back(e["kind"]);
  CHECK(kinds == std::vector<std::string>{"created", "note", "note", "time_entry",
                                          "assignee_change", "status_change", "escalation",
                                          "status_change", "status_change"});
}

TEST_CASE("the requester view never shows internal notes or diagnostics",
          "[integration][tickets]") {
  CollectorFixture c;
  const auto l1 = c.login_as("lena", "viewer");
  const auto id = create(c, {{"title", "VPN drops"}, {"requester", "bob"}}, l1);
  c.post(path(id, "/notes"), {{"text", "INTERNAL: user's router is ancient"}}, l1);
  c.post(path(id, "/notes"), {{"text", "Please restart your router."}, {"visibility", "public"}},
         l1);
  auto staff = c.get(path(id), l1);
  CHECK(staff.text.find("INTERNAL") != std::string::npos);
  auto requester = c.get(path(id) + "?view=requester", l1);
  REQUIRE(requester.status == 200);
  CHECK(requester.text.find("INTERNAL") == std::string::npos);
  CHECK(requester.text.find("Please restart your router.") != std::string::npos);
  CHECK_FALSE(requester.body.contains("diagnostics"));
  CHECK_FALSE(requester.body.contains("findings"));
  for (const auto& e : requester.body["timeline"]) CHECK(e["visibility"] == "public");
  CHECK(c.get(path(id) + "?view=everything", l1).status == 400);
}

TEST_CASE("ticket input is strict and text is stored verbatim", "[integration][tickets]") {
  CollectorFixture c("[limits]\nmax_http_body_bytes = 65536\n");
  const auto l1 = c.login_as("lena", "viewer");

  auto bad_json = c.send(http::verb::post, "/api/v1/tickets",
                         "{\"title\": ", {{"Authorization", "Bearer " + l1}});
  CHECK(bad_json.status == 400);
  CHECK(error_code(bad_json) == "invalid_request");
  auto unknown = c.post("/api/v1/tickets", {{"title", "x"}, {"priorty", 1}}, l1);
  CHECK(unknown.status == 400);
  CHECK(unknown.body["error"]["message"].get<std::string>().find("priorty") != std::string::npos);
  CHECK(c.post("/api/v1/tickets", {{"title", 42}}, l1).status == 400);
  CHECK(c.post("/api/v1/tickets", {{"title", "   "}}, l1).status == 400);
  CHECK(c.post("/api/v1/tickets", {{"description", "no title"}}, l1).status == 400);
  CHECK(c.post("/api/v1/tickets", {{"title", "x"}, {"priority", 5}}, l1).status == 400);
  CHECK(c.post("/api/v1/tickets", {{"title", "x"}, {"priority", "P0"}}, l1).status == 400);
  CHECK(c.post("/api/v1/tickets", {{"title", std::string(201, 'a')}}, l1).status == 400);
  CHECK(c.post("/api/v1/tickets", {{"title", "x"}, {"device_id", "no-such-device"}}, l1).status ==
        400);
  // Intake may set the priority; tier and assignee are a technician's call (403 names the field).
  auto placed = c.post("/api/v1/tickets", {{"title", "x"}, {"tier", "L2"}}, l1);
  CHECK(placed.status == 403);
  CHECK(placed.body["error"]["message"].get<std::string>().find("tier") != std::string::npos);
  CHECK(c.post("/api/v1/tickets", {{"title", "x"}, {"assignee", "lena"}}, l1).status == 403);
  const auto l2 = c.login_as("tom", "technician");
  CHECK(c.post("/api/v1/tickets", {{"title", "x"}, {"assignee", "nobody"}}, l2).status == 400);
  auto dispatched =
      c.post("/api/v1/tickets", {{"title", "x"}, {"tier", "L2"}, {"assignee", "tom"}}, l2);
  REQUIRE(dispatched.status == 201);
  CHECK(dispatched.body["tier"] == "L2");
  CHECK(dispatched.body["assignee"] == "tom");
  auto huge =
      c.post("/api/v1/tickets", {{"title", "x"}, {"description", std::string(70000, 'a')}}, l1);
  CHECK(huge.status == 413);
  CHECK(error_code(huge) != "(no JSON error)");

  const std::vector<std::string> hostile = {"'; DROP TABLE tickets; --",
                                            "<script>alert(1)</script>",
                                            "Robert\"); --",
                                            "\xF0\x9F\x94\xA5 unicode \xE2\x9C\x93",
                                            "line\nbreak\ttab",
                                            "%s%n%x",
                                            "../../etc/passwd",
                                            "{{7*7}}"};
  for (const auto& text : hostile) {
    const auto id = create(c, {{"title", text}, {"description", text}, {"requester", text}}, l1);
    REQUIRE(c.post(path(id, "/notes"), {{"text", text}}, l1).status == 201);
    auto back = c.get(path(id), l1).body;
    CHECK(back["title"] == text);
    CHECK(back["description"] == text);
    CHECK(back["requester"] == text);
    CHECK(back["timeline"][1]["data"]["text"] == text);
  }
  // The table survived the first string.
  CHECK(c.get("/api/v1/tickets", l1).body["total"] == hostile.size() + 1);
  CHECK(c.get("/api/v1/tickets/abc", l1).status == 404);
  CHECK(c.get("/api/v1/tickets/999999", l1).status == 404);
  CHECK(c.get("/api/v1/tickets/-1", l1).status == 404);
  auto bad_attachment = c.get(path(1, "/attachments/x1"), l1);
  CHECK(bad_attachment.status == 404);
  CHECK(bad_attachment.body["error"]["message"] == "no attachment x1");
}

TEST_CASE("the ticket queue filters, sorts by priority and SLA, and pages",
          "[integration][tickets]") {
  CollectorFixture c;
  const auto l1 = c.login_as("lena", "viewer");
  const auto l2 = c.login_as("tom", "technician");
  for (int i = 0; i < 12; ++i) {
    create(c, {{"title", "ticket " + std::to_string(i)}, {"priority", 1 + i % 4}}, l1);
  }
  auto p1_id = c.get("/api/v1/tickets?priority=P1", l1).body["tickets"][0]["id"];
  c.patch(path(p1_id.get<std::int64_t>()), {{"status", "pending"}}, l2);

  auto all = c.get("/api/v1/tickets", l1).body;
  CHECK(all["total"] == 12);
  REQUIRE(all["tickets"].size() == 12);
  CHECK(all["tickets"][0]["priority"] == "P1");
  CHECK(all["tickets"][11]["priority"] == "P4");

  auto filtered = c.get("/api/v1/tickets?priority=1,2&status=new", l1).body;
  CHECK(filtered["total"] == 5);
  for (const auto& t : filtered["tickets"]) {
    CHECK(t["status"] == "new");
    CHECK((t["priority"] == "P1" || t["priority"] == "P2"));
  }
  CHECK(c.get("/api/v1/tickets?status=pending", l1).body["total"] == 1);
  CHECK(c.get("/api/v1/tickets?q=TICKET%201", l1).body["total"] == 3);  // 1, 10, 11

  auto page1 = c.get("/api/v1/tickets?limit=5&offset=0&sort=created", l1).body;
  auto page3 = c.get("/api/v1/tickets?limit=5&offset=10&sort=created", l1).body;
  CHECK(page1["tickets"].size() == 5);
  CHECK(page3["tickets"].size() == 2);
  CHECK(page1["tickets"][0]["title"] == "ticket 0");
  CHECK(page3["tickets"][1]["title"] == "ticket 11");
  CHECK(c.get("/api/v1/tickets?offset=100", l1).body["tickets"].empty());
  CHECK(c.get("/api/v1/tickets?limit=0", l1).status == 400);
  CHECK(c.get("/api/v1/tickets?limit=501", l1).status == 400);
  CHECK(c.get("/api/v1/tickets?limit=x", l1).status == 400);
  CHECK(c.get("/api/v1/tickets?status=done", l1).status == 400);
  CHECK(c.get("/api/v1/tickets?sort=title", l1).status == 400);
  CHECK(c.get("/api/v1/tickets").status == 401);
}

TEST_CASE("a ticket for an online device gets a fresh snapshot, findings and verification",
          "[integration][tickets][enrichment]") {
  CollectorFixture c;
  AgentFixture agent(c, "laptop");
  REQUIRE(agent.enroll().exit_code == 0);
  const auto device = agent.device_id();
  agent.start({"--sysroot", fixture_machine("laptop").string()});
  REQUIRE(eventually([&] { return device_online(c, device); }));
  REQUIRE(eventually([&] { return !c.reports(device).empty(); }, 30s));
  const auto l2 = c.login_as("tom", "technician");

  const auto id = create(c, {{"title", "Battery dies quickly"}, {"device_id", device}}, l2);
  auto ticket = wait_for_diagnostics(c, id, 1, l2);
  const auto d = ticket["diagnostics"][0];
  CHECK(d["purpose"] == "creation");
  CHECK(d["source"] == "fresh");
  CHECK(d["reported_by"] == "endpoint");
  CHECK(d["device_id"] == device);
  CHECK(d["findings"].is_array());
  CHECK(d["changes"]["baseline_at"].is_null());  // nothing a day older yet
  REQUIRE(d["attachment_id"].is_number());

  // The fixture laptop has known problems: findings name them with evidence.
  REQUIRE_FALSE(ticket["findings"].empty());
  for (const auto& f : ticket["findings"]) {
    CHECK_FALSE(f["rule"].get<std::string>().empty());
    CHECK_FALSE(f["evidence"].get<std::string>().empty());
    CHECK(f["device_id"] == device);
  }
  // The snapshot answered the request: the newest report is a snapshot.
  CHECK(c.reports(device).back().kind == "snapshot");

  // The attachment is the snapshot as JSON; its bytes match the stored hash.
  REQUIRE_FALSE(ticket["attachments"].empty());
  const auto& meta = ticket["attachments"][0];
  CHECK(meta["kind"] == "diagnostics");
  CHECK(meta["visibility"] == "internal");
  auto file = c.get(meta["url"].get<std::string>(), l2);
  REQUIRE(file.status == 200);
  CHECK(triage::pki::sha256_hex(file.text) == meta["sha256"].get<std::string>());
  CHECK(file.body["system"]["hostname"].is_string());
  CHECK(
      c.get(path(id + 1000, "/attachments/") + std::to_string(meta["id"].get<int>()), l2).status ==
      404);

  // The fleet view counts the device under each of its findings.
  auto fleet = c.get("/api/v1/findings", l2);
  REQUIRE(fleet.status == 200);
  REQUIRE_FALSE(fleet.body["findings"].empty());
  CHECK(fleet.body["findings"][0]["devices"] == 1);
  CHECK(fleet.body["findings"][0]["example_devices"][0] == device);
  CHECK(c.get("/api/v1/findings?since=2200-01-01T00:00:00Z", l2).body["findings"].empty());
  CHECK(c.get("/api/v1/findings?since=yesterday", l2).status == 400);
  CHECK(c.get("/api/v1/findings?since=9999-01-01T00:00:00Z", l2).status == 400);
  const auto current = c.get("/api/v1/devices/" + device + "/findings", l2).body["findings"];
  CHECK_FALSE(current.empty());

  // The queue carries the worst severity and count of the linked devices' current findings.
  std::string worst = "info";
  for (const auto& f : current) {
    if (f["severity"] == "critical" || (f["severity"] == "warning" && worst == "info")) {
      worst = f["severity"].get<std::string>();
    }
  }
  auto queue = c.get("/api/v1/tickets?device_id=" + device, l2);
  REQUIRE(queue.body["tickets"].size() == 1);
  CHECK(queue.body["tickets"][0]["worst_severity"] == worst);
  CHECK(queue.body["tickets"][0]["findings_count"] == current.size());
  const auto bare = create(c, {{"title", "No device"}}, l2);
  const auto all = c.get("/api/v1/tickets", l2);
  bool seen_bare = false;
  for (const auto& t : all.body["tickets"]) {
    if (t["id"] != bare) continue;
    seen_bare = true;
    CHECK(t["worst_severity"].is_null());
    CHECK(t["findings_count"] == 0);
  }
  CHECK(seen_bare);
  CHECK(c.get("/api/v1/findings/rules", l2).body["rules"].size() >= 15);

  // Resolving takes a verification snapshot and compares findings with the creation ones.
  REQUIRE(c.patch(path(id), {{"status", "resolved"}}, l2).status == 200);
  ticket = wait_for_diagnostics(c, id, 2, l2);
  REQUIRE_FALSE(ticket["verification"].is_null());
  const auto& v = ticket["verification"];
  CHECK(v["purpose"] == "verification");
  CHECK(v["source"] == "fresh");
  // Nothing was fixed on the fixture machine: every finding remains.
  CHECK(v["comparison"]["cleared"].empty());
  CHECK(v["comparison"]["remaining"].size() == d["findings"].size());
  CHECK(find_event(ticket, "verification") != nullptr);
}

TEST_CASE("an offline device's ticket gets the stored snapshot, labelled with its age",
          "[integration][tickets][enrichment]") {
  CollectorFixture c;
  AgentFixture agent(c, "offline");
  REQUIRE(agent.enroll().exit_code == 0);
  const auto device = agent.device_id();
  const auto l2 = c.login_as("tom", "technician");

  // Never reported: the ticket says there is nothing yet.
  const auto early = create(c, {{"title", "New laptop"}, {"device_id", device}}, l2);
  auto none = wait_for_diagnostics(c, early, 1, l2);
  CHECK(none["diagnostics"][0]["source"] == "none");
  CHECK(none["attachments"].empty());

  agent.start();
  REQUIRE(eventually([&] { return !c.reports(device).empty(); }, 30s));
  agent.stop();
  REQUIRE(eventually([&] { return !device_online(c, device); }));

  const auto id = create(c, {{"title", "No sound"}}, l2);
  auto linked = c.post(path(id, "/devices"), {{"device_id", device}}, l2);
  REQUIRE(linked.status == 201);
  CHECK(c.post(path(id, "/devices"), {{"device_id", device}}, l2).status == 200);
  auto ticket = wait_for_diagnostics(c, id, 1, l2);
  const auto& d = ticket["diagnostics"][0];
  CHECK(d["purpose"] == "link");
  CHECK(d["source"] == "stored");
  CHECK(d["note"].get<std::string>().find("offline") != std::string::npos);
  CHECK(d["age_seconds"].get<long>() >= 0);
  CHECK_FALSE(d["snapshot_at"].is_null());
  CHECK(ticket["devices"][0] == device);
  // Listing by device finds both tickets.
  CHECK(c.get("/api/v1/tickets?device_id=" + device, l2).body["total"] == 2);
}

TEST_CASE("a help request from the endpoint becomes one ticket with its diagnostics",
          "[integration][tickets][enrichment]") {
  CollectorFixture c;
  AgentFixture agent(c, "helpdesk");
  REQUIRE(agent.enroll().exit_code == 0);
  const auto device = agent.device_id();
  agent.start();
  REQUIRE(eventually([&] { return device_online(c, device); }));
  auto r = run_command(
      {binary("triage-agent"), "get-help", "--state", agent.state_dir().string(), "--config",
       agent.config_path().string(), "--wait", "20", "printer does not print"},
      c.root());
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("Your request is ticket "));

  const auto l1 = c.login_as("lena", "viewer");
  auto list = c.get("/api/v1/tickets?device_id=" + device, l1).body;
  REQUIRE(list["total"] == 1);
  const auto& t = list["tickets"][0];
  CHECK(t["title"] == "printer does not print");
  CHECK(t["source"] == "endpoint");
  CHECK(t["requester"].get<std::string>().find('@') != std::string::npos);
  CHECK_THAT(r.out, Catch::Contains(std::to_string(t["id"].get<int>())));
  auto ticket = wait_for_diagnostics(c, t["id"].get<std::int64_t>(), 1, l1);
  CHECK(ticket["description"] == "printer does not print");
  CHECK(ticket["diagnostics"][0]["source"] == "fresh");
  CHECK(ticket["diagnostics"][0]["note"].get<std::string>().find("when the request was made") !=
        std::string::npos);
}
