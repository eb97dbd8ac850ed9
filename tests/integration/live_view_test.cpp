// The live view end to end: a real collector and a real agent over mTLS. A technician opens a
// live view from a ticket; samples of this machine arrive, are stored and read back after any
// sequence number; a second technician joins the same session; staff extend and stop it; the
// ticket keeps the recording and its timeline says who watched; the agent's history says it
// too. The agent's local policy can refuse the live view; the collector refuses one beyond its
// limit of sessions at once, one on an offline device, and a viewer; a session ends when its
// device disconnects.

#include <catch2/catch.hpp>

#include <fstream>
#include <set>

#include "tests/support/collector_fixture.hpp"

using namespace triage::testing;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<AgentFixture> live_agent(CollectorFixture& c, const std::string& name,
                                         const std::string& policy = "") {
  auto agent = std::make_unique<AgentFixture>(c, name);
  REQUIRE(agent->enroll().exit_code == 0);
  const auto config = c.root() / ("agent-" + name + ".toml");
  std::ofstream(config) << "[probes]\nenabled = false\n" << policy;
  agent->start({"--config", config.string()});
  const auto device = agent->device_id();
  REQUIRE(eventually([&] { return device_online(c, device); }, 30s));
  return agent;
}

nlohmann::json wait_for(CollectorFixture& c, const std::string& id, const std::string& token,
                        const std::function<bool(const nlohmann::json&)>& done) {
  nlohmann::json view;
  const bool ok = eventually(
      [&] {
        view = c.get("/api/v1/live/" + id + "?limit=600", token).body;
        return done(view);
      },
      30s);
  INFO(view.dump(2));
  REQUIRE(ok);
  return view;
}

std::string error_code(const ApiResponse& r) {
  if (r.body.is_discarded() || !r.body.contains("error")) return "(no JSON error)";
  return r.body["error"]["code"].get<std::string>();
}

}  // namespace

TEST_CASE("live view end to end: samples arrive, are joined, extended, stopped and kept",
          "[integration][live]") {
  CollectorFixture c;
  c.start();
  const auto tech = c.login_as("tina", "technician");
  const auto other = c.login_as("theo", "technician");
  const auto viewer = c.login_as("vic", "viewer");
  auto agent = live_agent(c, "watched");
  const auto device = agent->device_id();
  auto ticket = c.post("/api/v1/tickets", {{"title", "laptop slow"}, {"device_id", device}}, tech);
  REQUIRE(ticket.status == 201);
  const auto ticket_id = ticket.body["id"].get<std::int64_t>();
  const auto open_path = "/api/v1/devices/" + device + "/live";

  CHECK(c.post(open_path, {{"ticket_id", ticket_id}}, viewer).status == 403);
  CHECK(c.post(open_path, {{"minutes", 11}}, tech).status == 400);

  auto opened = c.post(open_path, {{"ticket_id", ticket_id}, {"minutes", 5}}, tech);
  INFO(opened.text);
  REQUIRE(opened.status == 201);
  const auto id = opened.body["id"].get<std::string>();
  CHECK(opened.header("location") == "/api/v1/live/" + id);
  CHECK(opened.body["state"] == "starting");
  CHECK(opened.body["started_by"] == "tina");
  CHECK(opened.body["joined"] == false);

  // Samples of this machine, numbered from 1, each second.
  auto view = wait_for(c, id, viewer, [](const nlohmann::json& v) {
    return v.contains("samples") && v["samples"].size() >= 3;
  });
  CHECK(view["session"]["state"] == "live");
  CHECK(view["session"]["interval_ms"] == 1000);
  const auto& first = view["samples"][0];
  CHECK(first["seq"] == 1);
  CHECK(first["memory_total_bytes"].get<std::uint64_t>() > 0);
  CHECK(first["cpu_percent"].get<double>() >= 0);
  CHECK(first["cpu_percent"].get<double>() <= 100);
  CHECK(first["top_processes"].size() >= 1);
  CHECK(view["samples"][1]["seq"] == 2);
  // Read on from where the last poll ended: nothing twice.
  const auto after = view["next_after"].get<std::int64_t>();
  auto later = wait_for(c, id, viewer, [&](const nlohmann::json& v) {
    return v.contains("samples") && !v["samples"].empty();
  });
  (void)later;
  auto next = c.get("/api/v1/live/" + id + "?after=" + std::to_string(after), viewer);
  REQUIRE(next.status == 200);
  for (const auto& s : next.body["samples"]) CHECK(s["seq"].get<std::int64_t>() > after);

  // A second technician opening the same device joins the session.
  auto joined = c.post(open_path, nlohmann::json::object(), other);
  REQUIRE(joined.status == 200);
  CHECK(joined.body["joined"] == true);
  CHECK(joined.body["id"] == id);

  auto extended = c.post("/api/v1/live/" + id + "/extend", {{"minutes", 10}}, tech);
  INFO(extended.text);
  REQUIRE(extended.status == 200);
  CHECK(extended.body["ends_at"] > opened.body["ends_at"]);

  auto stopped = c.post("/api/v1/live/" + id + "/stop", nlohmann::json::object(), other);
  INFO(stopped.text);
  REQUIRE(stopped.status == 200);
  CHECK(stopped.body["state"] == "ended");
  CHECK(stopped.body["end_reason"] == "stopped by theo");
  CHECK(c.post("/api/v1/live/" + id + "/stop", nlohmann::json::object(), tech).status == 409);
  CHECK(c.post("/api/v1/live/" + id + "/extend", nlohmann::json::object(), tech).status == 409);

  // The recording stays on the ticket, and the timeline says who watched.
  auto recordings = c.get("/api/v1/tickets/" + std::to_string(ticket_id) + "/live", viewer);
  REQUIRE(recordings.status == 200);
  REQUIRE(recordings.body["items"].size() == 1);
  CHECK(recordings.body["items"][0]["id"] == id);
  CHECK(recordings.body["items"][0]["samples"].get<int>() >= 3);
  auto all = c.get("/api/v1/live/" + id + "?limit=600", viewer);
  CHECK(all.body["samples"].size() == recordings.body["items"][0]["samples"].get<std::size_t>());
  auto t = c.get("/api/v1/tickets/" + std::to_string(ticket_id), tech);
  std::set<std::string> kinds;
  for (const auto& e : t.body["timeline"]) kinds.insert(e["kind"].get<std::string>());
  CHECK(kinds.count("live_opened") == 1);
  CHECK(kinds.count("live_ended") == 1);
  auto audit = c.get("/api/v1/audit?target=live:" + id, c.admin_token());
  INFO(audit.text);
  REQUIRE(audit.status == 200);
  std::set<std::string> types;
  for (const auto& r : audit.body["events"]) types.insert(r["type"].get<std::string>());
  CHECK(types == std::set<std::string>{"live.opened", "live.extended", "live.ended"});

  // The endpoint's own history says who watched and when it stopped.
  auto history = run_command(
      {binary("triage-agent"), "history", "--json", "--state", agent->state_dir().string()},
      c.root());
  REQUIRE(history.exit_code == 0);
  auto doc = nlohmann::json::parse(history.out);
  std::vector<std::string> outcomes;
  for (const auto& e : doc["entries"]) {
    if (e["entry"]["kind"] == "live") outcomes.push_back(e["entry"]["outcome"]);
  }
  CHECK(outcomes == std::vector<std::string>{"started", "extended", "ended"});
  CHECK(doc["chain"] == "intact");
}

TEST_CASE("live view: local policy, the collector's limit, offline devices and disconnects",
          "[integration][live]") {
  CollectorFixture c("[live]\nmax_sessions = 1\n");
  c.start();
  const auto tech = c.login_as("tina", "technician");
  auto refusing = live_agent(c, "private", "[probe_policy]\ndisabled = [\"live\"]\n");
  auto open =
      c.post("/api/v1/devices/" + refusing->device_id() + "/live", nlohmann::json::object(), tech);
  REQUIRE(open.status == 201);
  auto view = wait_for(c, open.body["id"], tech, [](const nlohmann::json& v) {
    return v.contains("session") && v["session"]["state"] == "ended";
  });
  CHECK_THAT(view["session"]["end_reason"].get<std::string>(), Catch::Contains("local policy"));
  CHECK(view["samples"].empty());

  auto watched = live_agent(c, "busy");
  auto first =
      c.post("/api/v1/devices/" + watched->device_id() + "/live", nlohmann::json::object(), tech);
  REQUIRE(first.status == 201);
  // The only place is taken: another device is refused with a clear message.
  auto third = live_agent(c, "third");
  auto refused =
      c.post("/api/v1/devices/" + third->device_id() + "/live", nlohmann::json::object(), tech);
  INFO(refused.text);
  CHECK(refused.status == 503);
  CHECK(error_code(refused) == "too_many_live_views");
  CHECK_THAT(refused.body["error"]["message"].get<std::string>(), Catch::Contains("1 live views"));

  // The device goes away: its session ends, and the place is free again.
  watched->stop();
  view = wait_for(c, first.body["id"], tech, [](const nlohmann::json& v) {
    return v.contains("session") && v["session"]["state"] == "ended";
  });
  CHECK(view["session"]["end_reason"] == "the device disconnected");
  REQUIRE(eventually([&] { return !device_online(c, watched->device_id()); }, 30s));
  auto offline =
      c.post("/api/v1/devices/" + watched->device_id() + "/live", nlohmann::json::object(), tech);
  CHECK(offline.status == 409);
  CHECK(c.post("/api/v1/devices/" + third->device_id() + "/live", nlohmann::json::object(), tech)
            .status == 201);
  CHECK(c.post("/api/v1/devices/no-such-device/live", nlohmann::json::object(), tech).status ==
        404);
}
