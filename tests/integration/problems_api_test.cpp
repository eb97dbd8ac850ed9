// Problems over real HTTPS with a real agent: a coordinator opens one problem from a fleet
// finding, the tickets it explains are linked (by hand or all at once), every linked ticket's
// timeline records it, and resolving the problem tells each ticket what fixed it.

#include <catch2/catch.hpp>

#include "tests/support/collector_fixture.hpp"

using namespace triage::testing;
using namespace std::chrono_literals;
namespace http = triage::transport::http;

namespace {

std::string ticket_path(std::int64_t id) { return "/api/v1/tickets/" + std::to_string(id); }
std::string problem_path(std::int64_t id, const std::string& rest = "") {
  return "/api/v1/problems/" + std::to_string(id) + rest;
}

std::int64_t create_ticket(CollectorFixture& c, const nlohmann::json& body,
                           const std::string& token) {
  auto r = c.post("/api/v1/tickets", body, token);
  INFO(r.text);
  REQUIRE(r.status == 201);
  return r.body["id"].get<std::int64_t>();
}

std::vector<std::string> event_kinds(const nlohmann::json& ticket) {
  std::vector<std::string> kinds;
  for (const auto& e : ticket["timeline"]) kinds.push_back(e["kind"].get<std::string>());
  return kinds;
}

const nlohmann::json* last_event(const nlohmann::json& ticket, const std::string& kind) {
  const nlohmann::json* found = nullptr;
  for (const auto& e : ticket["timeline"]) {
    if (e["kind"] == kind) found = &e;
  }
  return found;
}

std::string error_code(const ApiResponse& r) {
  if (r.body.is_discarded() || !r.body.contains("error")) return "(no JSON error)";
  return r.body["error"]["code"].get<std::string>();
}

std::filesystem::path fixture_machine(const std::string& name) {
  return std::filesystem::path(TRIAGE_FIXTURES_DIR) / "sysroot" / name;
}

}  // namespace

TEST_CASE("a fleet finding becomes one problem that its tickets are linked to",
          "[integration][tickets][problems]") {
  CollectorFixture c;
  AgentFixture agent(c, "laptop");
  REQUIRE(agent.enroll().exit_code == 0);
  const auto device = agent.device_id();
  agent.start({"--sysroot", fixture_machine("laptop").string()});
  REQUIRE(eventually([&] { return device_online(c, device); }));
  const auto l1 = c.login_as("lena", "viewer");
  const auto l2 = c.login_as("tom", "technician");

  // The fixture laptop reports findings; the fleet view lists them with no problem yet.
  nlohmann::json fleet;
  REQUIRE(eventually(
      [&] {
        fleet = c.get("/api/v1/findings", l1).body;
        return fleet.contains("findings") && !fleet["findings"].empty();
      },
      30s));
  const auto rule = fleet["findings"][0]["rule"].get<std::string>();
  CHECK(fleet["findings"][0]["problem"].is_null());

  // Two tickets about the device, one unrelated.
  const auto a = create_ticket(c, {{"title", "Laptop slow"}, {"device_id", device}}, l1);
  const auto b = create_ticket(c, {{"title", "Laptop again"}, {"device_id", device}}, l1);
  const auto other = create_ticket(c, {{"title", "Password reset"}}, l1);

  SECTION("only a technician opens problems, for a known rule, one open per rule") {
    CHECK(c.post("/api/v1/problems", {{"rule", rule}}, l1).status == 403);
    auto unknown = c.post("/api/v1/problems", {{"rule", "no.such.rule"}}, l2);
    CHECK(unknown.status == 400);
    CHECK(unknown.text.find("rule") != std::string::npos);
    CHECK(c.post("/api/v1/problems", {{"rule", rule}, {"colour", "red"}}, l2).status == 400);
    CHECK(c.post("/api/v1/problems", {{"rule", rule}, {"title", "   "}}, l2).status == 400);
    auto first = c.post("/api/v1/problems", {{"rule", rule}}, l2);
    REQUIRE(first.status == 201);
    CHECK(first.header("location") == problem_path(first.body["id"].get<std::int64_t>()));
    auto second = c.post("/api/v1/problems", {{"rule", rule}}, l2);
    CHECK(second.status == 409);
    CHECK(error_code(second) == "conflict");
    CHECK(c.get("/api/v1/problems/999", l1).status == 404);
    CHECK(c.get("/api/v1/problems/abc", l1).status == 404);
  }

  SECTION("opening with link_open_tickets links every open ticket of affected devices") {
    const std::string title = "<b>DNS</b> \"outage\" on floor 3";
    auto opened = c.post("/api/v1/problems",
                         {{"rule", rule}, {"title", title}, {"link_open_tickets", true}}, l2);
    INFO(opened.text);
    REQUIRE(opened.status == 201);
    const auto id = opened.body["id"].get<std::int64_t>();
    CHECK(opened.body["title"] == title);  // stored and returned verbatim
    CHECK(opened.body["status"] == "open");
    CHECK(opened.body["created_by"] == "tom");
    CHECK(opened.body["tickets"] == 2);
    CHECK(opened.body["open_tickets"] == 2);
    CHECK(opened.body["devices_now"] == 1);
    CHECK(opened.body["reported_by"] == "endpoint");
    REQUIRE(opened.body["linked_tickets"].size() == 2);

    // The fleet view and the device's findings show which incident handles the finding.
    auto fleet_now = c.get("/api/v1/findings", l1).body;
    for (const auto& f : fleet_now["findings"]) {
      if (f["rule"] == rule) CHECK(f["problem"]["id"] == id);
    }

    // Each linked ticket lists the problem and records the link on its internal timeline.
    auto ticket = c.get(ticket_path(a), l1).body;
    REQUIRE(ticket["problems"].size() == 1);
    CHECK(ticket["problems"][0]["id"] == id);
    const auto* linked = last_event(ticket, "problem_linked");
    REQUIRE(linked != nullptr);
    CHECK((*linked)["visibility"] == "internal");
    CHECK((*linked)["actor"] == "tom");
    CHECK(c.get(ticket_path(other), l1).body["problems"].empty());

    // The queue filters by problem.
    auto queue = c.get("/api/v1/tickets?problem=" + std::to_string(id), l1);
    REQUIRE(queue.status == 200);
    CHECK(queue.body["total"] == 2);
    CHECK(c.get("/api/v1/tickets?problem=x", l1).status == 400);

    // The requester never sees the coordination.
    auto requester = c.get(ticket_path(a) + "?view=requester", l1);
    REQUIRE(requester.status == 200);
    CHECK(requester.text.find("problem") == std::string::npos);

    // Linking by hand: idempotent, 404 for an unknown ticket, viewers refused.
    CHECK(c.post(problem_path(id, "/tickets"), {{"ticket_id", other}}, l1).status == 403);
    CHECK(c.post(problem_path(id, "/tickets"), {{"ticket_id", other}}, l2).status == 201);
    CHECK(c.post(problem_path(id, "/tickets"), {{"ticket_id", other}}, l2).status == 200);
    CHECK(c.post(problem_path(id, "/tickets"), {{"ticket_id", 4242}}, l2).status == 404);
    CHECK(c.post(problem_path(id, "/tickets"), {{"ticket_id", "1"}}, l2).status == 400);
    CHECK(c.get(problem_path(id), l1).body["tickets"] == 3);

    // Unlinking records it; a second unlink is a clear 404.
    CHECK(c.send(http::verb::delete_, problem_path(id, "/tickets/" + std::to_string(other)), "",
                 {{"Authorization", "Bearer " + l2}})
              .status == 200);
    CHECK(c.send(http::verb::delete_, problem_path(id, "/tickets/" + std::to_string(other)), "",
                 {{"Authorization", "Bearer " + l2}})
              .status == 404);
    auto other_ticket = c.get(ticket_path(other), l1).body;
    CHECK(other_ticket["problems"].empty());
    CHECK(last_event(other_ticket, "problem_unlinked") != nullptr);

    // A resolution belongs to resolving: on an open problem it is refused, not dropped.
    CHECK(c.patch(problem_path(id), {{"resolution", "guess"}}, l2).status == 400);

    // Resolving tells every linked ticket what fixed it; the tickets stay open for their
    // technicians to verify and close.
    auto resolved = c.patch(
        problem_path(id), {{"status", "resolved"}, {"resolution", "Restarted the DNS server"}}, l2);
    REQUIRE(resolved.status == 200);
    CHECK(resolved.body["status"] == "resolved");
    CHECK(resolved.body["resolved_by"] == "tom");
    CHECK(resolved.body["open_tickets"] == 2);
    for (auto t : {a, b}) {
      auto linked_ticket = c.get(ticket_path(t), l1).body;
      const auto* e = last_event(linked_ticket, "problem_resolved");
      REQUIRE(e != nullptr);
      CHECK((*e)["data"]["resolution"] == "Restarted the DNS server");
      CHECK(linked_ticket["status"] != "resolved");
    }
    CHECK(c.get("/api/v1/problems?status=resolved", l1).body["problems"].size() == 1);
    CHECK(c.get("/api/v1/problems?status=open", l1).body["problems"].empty());
    CHECK(c.get("/api/v1/problems?status=maybe", l1).status == 400);

    // A resolved problem takes no new tickets until reopened; a new one may be opened.
    CHECK(c.post(problem_path(id, "/tickets"), {{"ticket_id", other}}, l2).status == 409);
    auto reopened = c.patch(problem_path(id), {{"status", "open"}}, l2);
    REQUIRE(reopened.status == 200);
    CHECK(reopened.body["resolution"] == "");
    const auto kinds = event_kinds(c.get(ticket_path(b), l1).body);
    CHECK(std::count(kinds.begin(), kinds.end(), "problem_reopened") == 1);
  }

  SECTION("a closed ticket cannot be linked") {
    auto opened = c.post("/api/v1/problems", {{"rule", rule}}, l2);
    REQUIRE(opened.status == 201);
    const auto id = opened.body["id"].get<std::int64_t>();
    CHECK(opened.body["tickets"] == 0);
    REQUIRE(c.patch(ticket_path(other), {{"status", "resolved"}}, l2).status == 200);
    REQUIRE(c.patch(ticket_path(other), {{"status", "closed"}}, l2).status == 200);
    CHECK(c.post(problem_path(id, "/tickets"), {{"ticket_id", other}}, l2).status == 409);
  }
}
