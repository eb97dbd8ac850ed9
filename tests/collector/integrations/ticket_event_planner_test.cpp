// Which integration events ticket changes cause, and what each view may carry: a subscription
// that is not internal never sees internal notes, internal-only events, staff-only fields,
// reasons, or staff names on changes the requester view does not show.

#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "collector/integrations/ticket_event_planner.hpp"

using namespace triage::collector;

namespace {

Ticket ticket() {
  Ticket t;
  t.id = 42;
  t.title = "Printer jams";
  t.description = "Every page";
  t.requester = "alice@example.com";
  t.status = TicketStatus::kOpen;
  t.priority = 2;
  t.tier = 2;
  t.queue = "hardware";
  t.assignee = "bob";
  t.device_ids = {"dev-1"};
  return t;
}

TicketEvent event(std::int64_t id, std::string kind, Visibility visibility, nlohmann::json data,
                  std::string actor = "bob") {
  TicketEvent e;
  e.id = id;
  e.ticket_id = 42;
  e.at = std::chrono::system_clock::now();
  e.actor = std::move(actor);
  e.kind = std::move(kind);
  e.visibility = visibility;
  e.data = std::move(data);
  return e;
}

IntegrationTarget target(std::int64_t id, bool internal, std::vector<std::string> events) {
  IntegrationTarget t;
  t.id = id;
  t.connector = "webhook";
  t.internal = internal;
  t.event_types = std::move(events);
  return t;
}

const std::vector<std::string> kAllPublic = {"ticket.created", "ticket.updated",
                                             "ticket.status_changed", "ticket.note_added"};

}  // namespace

TEST_CASE("internal notes reach internal subscriptions only") {
  TicketEventPlanner planner;
  auto internal_note = event(7, "note", Visibility::kInternal, {{"text", "root password is x"}});
  auto public_note = event(8, "note", Visibility::kPublic, {{"text", "We are on it"}});
  const std::vector<IntegrationTarget> targets = {target(1, false, kAllPublic),
                                                  target(2, true, {"ticket.note_added"})};

  auto messages = planner.plan(ticket(), {internal_note}, targets);
  REQUIRE(messages.size() == 1);
  CHECK(messages[0].target_id == 2);
  CHECK_THAT(messages[0].payload, Catch::Contains("root password"));

  messages = planner.plan(ticket(), {public_note}, targets);
  REQUIRE(messages.size() == 2);
  CHECK(messages[0].event_id == messages[1].event_id);  // one event, two deliveries
  CHECK(messages[0].delivery_id != messages[1].delivery_id);
  for (const auto& m : messages) {
    auto body = nlohmann::json::parse(m.payload);
    CHECK(body["type"] == "ticket.note_added");
    CHECK(body["id"] == m.event_id);
    CHECK(body["ticket"]["id"] == 42);
    CHECK(body["data"]["note"]["text"] == "We are on it");
    CHECK(body["data"]["note"]["visibility"] == "public");
    CHECK(body["actor"] == "bob");
  }
}

TEST_CASE("the public view carries only requester-visible ticket fields") {
  TicketEventPlanner planner;
  auto created = event(1, "created", Visibility::kPublic,
                       {{"source", "staff"}, {"queue", "hardware"}, {"devices", {"dev-1"}}});
  auto messages = planner.plan(ticket(), {created},
                               {target(1, false, kAllPublic), target(2, true, kAllPublic)});
  REQUIRE(messages.size() == 2);
  auto pub = nlohmann::json::parse(messages[0].payload);
  auto internal = nlohmann::json::parse(messages[1].payload);
  std::set<std::string> keys;
  for (const auto& [k, v] : pub["ticket"].items()) keys.insert(k);
  CHECK(keys == std::set<std::string>{"id", "title", "description", "requester", "status",
                                      "priority", "created_at", "updated_at"});
  CHECK(pub["data"].empty());
  CHECK(pub.dump().find("hardware") == std::string::npos);
  CHECK(pub.dump().find("dev-1") == std::string::npos);
  CHECK(internal["ticket"]["assignee"] == "bob");
  CHECK(internal["ticket"]["queue"] == "hardware");
  CHECK(internal["data"]["devices"] == nlohmann::json{"dev-1"});
}

TEST_CASE("field changes of one write merge into one ticket.updated") {
  TicketEventPlanner planner;
  const std::vector<TicketEvent> write = {
      event(1, "priority_change", Visibility::kInternal,
            {{"from", 3}, {"to", 2}, {"reason", "VIP, internal words"}}),
      event(2, "assignee_change", Visibility::kInternal,
            {{"from", ""}, {"to", "bob"}, {"reason", "VIP, internal words"}}),
      event(3, "status_change", Visibility::kInternal,
            {{"from", "new"}, {"to", "open"}, {"reason", "VIP, internal words"}})};
  auto messages =
      planner.plan(ticket(), write, {target(1, false, kAllPublic), target(2, true, kAllPublic)});
  REQUIRE(messages.size() == 4);
  std::map<std::pair<std::int64_t, std::string>, nlohmann::json> by;
  for (const auto& m : messages) by[{m.target_id, m.event_type}] = nlohmann::json::parse(m.payload);
  auto pub_update = by.at({1, "ticket.updated"});
  CHECK(pub_update["data"]["changes"] ==
        nlohmann::json{{"priority", {{"from", "P3"}, {"to", "P2"}}}});
  CHECK(pub_update["actor"].is_null());  // an internal change: no staff name
  CHECK(pub_update.dump().find("internal words") == std::string::npos);
  auto pub_status = by.at({1, "ticket.status_changed"});
  CHECK(pub_status["data"] == nlohmann::json{{"from", "new"}, {"to", "open"}});
  auto internal_update = by.at({2, "ticket.updated"});
  CHECK(internal_update["data"]["changes"].contains("assignee"));
  CHECK(internal_update["data"]["reason"] == "VIP, internal words");
  CHECK(by.at({2, "ticket.status_changed"})["data"]["reason"] == "VIP, internal words");
}

TEST_CASE("staff-only changes cause no public event") {
  TicketEventPlanner planner;
  auto messages = planner.plan(
      ticket(), {event(1, "queue_change", Visibility::kInternal, {{"from", "a"}, {"to", "b"}})},
      {target(1, false, kAllPublic)});
  CHECK(messages.empty());
}

TEST_CASE("internal-only events never reach a public subscription") {
  TicketEventPlanner planner;
  // Even when a public subscription lists them (stored by a bug or by hand).
  const std::vector<std::string> everything = {"ticket.escalated", "ticket.diagnostics",
                                               "ticket.verification"};
  const std::vector<TicketEvent> write = {
      event(1, "escalation", Visibility::kInternal, {{"from", 1}, {"to", 2}, {"reason", "slow"}}),
      event(2, "diagnostics", Visibility::kInternal, {{"findings", 3}}, "system"),
      event(3, "verification", Visibility::kInternal, {{"cleared", 1}}, "system")};
  CHECK(planner.plan(ticket(), write, {target(1, false, everything)}).empty());
  auto internal = planner.plan(ticket(), write, {target(2, true, everything)});
  REQUIRE(internal.size() == 3);
  auto escalated = nlohmann::json::parse(internal[0].payload);
  CHECK(escalated["type"] == "ticket.escalated");
  CHECK(escalated["data"]["to"] == "L2");
}

TEST_CASE("only subscribed types, only active targets, and the worker is woken") {
  int wakes = 0;
  TicketEventPlanner planner([&] { ++wakes; });
  auto inactive = target(3, true, kAllPublic);
  inactive.active = false;
  auto note = event(8, "note", Visibility::kPublic, {{"text", "hi"}});
  CHECK(planner.plan(ticket(), {note}, {target(1, false, {"ticket.created"}), inactive}).empty());
  CHECK(wakes == 0);
  CHECK(planner.plan(ticket(), {note}, {target(1, false, {"ticket.note_added"})}).size() == 1);
  CHECK(wakes == 1);
}
