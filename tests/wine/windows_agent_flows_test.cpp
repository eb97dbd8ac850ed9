// The Windows agent's daily work under Wine, against a real collector on 127.0.0.1: help
// requests over the named pipe, the offline spool (also across a hard kill), and orders for
// Windows actions.

#include <fstream>
#include <map>

#include <catch2/catch.hpp>

#include "shared/pki/keys.hpp"
#include "shared/util/files.hpp"
#include "tests/support/action_pins.hpp"
#include "tests/support/collector_fixture.hpp"
#include "tests/wine/wine_agent.hpp"
#include "triage/v1/envelope.pb.h"

using namespace triage::testing;
using namespace std::chrono_literals;
namespace v1 = triage::v1;

namespace {

// Wine's own hostname.exe: a harmless Windows program with known output.
const char* kWineHostname = R"toml(
id = "wine-hostname"
version = 1
title = "Host name (Windows test)"
platform = "windows"
argv = ['C:\windows\system32\hostname.exe']
risk = "low"
)toml";

// The same program as a Linux action: a Windows agent must refuse it.
const char* kLinuxEcho = R"toml(
id = "linux-echo"
version = 1
title = "Echo (Linux test)"
argv = ["/bin/echo", "linux"]
risk = "low"
)toml";

std::vector<v1::AgentMessage> delivered(CollectorFixture& collector, const std::string& device) {
  std::vector<v1::AgentMessage> out;
  for (const auto& row : collector.reports(device)) {
    v1::AgentMessage m;
    if (m.ParseFromString(row.payload)) out.push_back(std::move(m));
  }
  return out;
}

std::map<std::string, int> help_ids(const std::vector<v1::AgentMessage>& messages) {
  std::map<std::string, int> ids;
  for (const auto& m : messages) {
    if (m.has_help_request()) ids[m.help_request().request_id()]++;
  }
  return ids;
}

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

/// An enrolled Windows agent, running and online.
void enroll_and_start(CollectorFixture& collector, WineAgent& agent,
                      const std::vector<std::string>& args = {}) {
  auto enrolled = agent.enroll();
  INFO("enroll: " << enrolled.out << enrolled.err);
  REQUIRE(enrolled.exit_code == 0);
  REQUIRE(agent.device_id().size() == 36);
  agent.start(args);
  if (!eventually([&] { return device_online(collector, agent.device_id()); }, 90s)) {
    FAIL("the device did not come online; agent stderr:\n" << agent.process().stderr_text());
  }
}

nlohmann::json wait_final(CollectorFixture& c, const std::string& id, const std::string& token) {
  nlohmann::json order;
  const bool done = eventually(
      [&] {
        order = c.get("/api/v1/orders/" + id, token).body;
        const auto state = order.value("state", "");
        return state == "succeeded" || state == "failed" || state == "refused" ||
               state == "expired" || state == "cancelled";
      },
      60s);
  INFO(order.dump(2));
  REQUIRE(done);
  return order;
}

}  // namespace

TEST_CASE("Windows agent under Wine: get-help over the named pipe opens a ticket with the caller",
          "[windows][integration]") {
  CollectorFixture collector;
  WineAgent agent(collector, "help");
  enroll_and_start(collector, agent);
  REQUIRE(eventually(
      [&] {
        return agent.process().stderr_text().find("listening for help requests") !=
               std::string::npos;
      },
      30s));

  const auto asked_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count() -
                           1000;
  auto help = agent.get_help("the printer on floor 2 does not print", 30);
  INFO("get-help: " << help.out << help.err << "\nagent: " << agent.process().stderr_text());
  CHECK(help.exit_code == 0);
  // The collector opened a ticket before acknowledging: the user gets its number.
  CHECK_THAT(help.out, Catch::Contains("Your request is ticket "));

  const v1::HelpRequest* found = nullptr;
  const auto messages = delivered(collector, agent.device_id());
  for (const auto& m : messages) {
    if (m.has_help_request()) found = &m.help_request();
  }
  REQUIRE(found != nullptr);
  CHECK(found->text() == "the printer on floor 2 does not print");
  // The caller as the pipe's client token says, not as the message says.
  CHECK_FALSE(found->local_user().empty());
  CHECK(found->request_id().size() == 32);
  // A fresh snapshot taken for the request (the Windows collectors come with the Windows
  // diagnostics; the device's identity is in the hello).
  REQUIRE(found->has_snapshot());
  CHECK(found->snapshot().collected_at_unix_ms() >= asked_at_ms);

  auto tickets = collector.get("/api/v1/tickets", collector.admin_token());
  REQUIRE(tickets.status == 200);
  CHECK_THAT(tickets.text, Catch::Contains("the printer on floor 2 does not print"));
}

TEST_CASE(
    "Windows agent under Wine: collector down, then up: spooled help requests and reports "
    "arrive once, in order",
    "[windows][integration]") {
  CollectorFixture collector;
  WineAgent agent(collector, "offline");
  auto enrolled = agent.enroll();
  INFO("enroll: " << enrolled.out << enrolled.err);
  REQUIRE(enrolled.exit_code == 0);
  const auto id = agent.device_id();
  collector.stop();

  agent.start({"--report-interval", "2"});
  REQUIRE(eventually(
      [&] {
        return agent.process().stderr_text().find("listening for help requests") !=
               std::string::npos;
      },
      60s));
  auto first = agent.get_help("outlook does not start");
  INFO("get-help: " << first.out << first.err);
  CHECK(first.exit_code == 0);
  CHECK_THAT(first.out, Catch::Contains("queued"));
  // Two report ticks while offline (a delta, or nothing to send when nothing changed).
  const auto ticks = [&] {
    const auto log = agent.process().stderr_text();
    return count(log, "delta #") + count(log, "nothing changed since report");
  };
  REQUIRE(eventually([&] { return ticks() >= 2; }, 90s));
  auto second = agent.get_help("no network since the update");
  CHECK(second.exit_code == 0);

  collector.start();
  std::vector<v1::AgentMessage> messages;
  REQUIRE(eventually(
      [&] {
        messages = delivered(collector, id);
        return help_ids(messages).size() == 2;
      },
      90s));
  agent.stop();
  const auto rows = collector.reports(id);
  for (const auto& [request, times] : help_ids(delivered(collector, id))) CHECK(times == 1);
  // Gap-free and in order: the spool resent everything by seq, starting with a full snapshot.
  for (std::size_t i = 0; i < rows.size(); ++i) CHECK(rows[i].seq == i + 1);
  messages = delivered(collector, id);
  auto chain = std::find_if(messages.begin(), messages.end(),
                            [](const auto& m) { return !m.has_help_request(); });
  REQUIRE(chain != messages.end());
  CHECK(chain->has_snapshot());
  CHECK(agent.process().stderr_text().find("acknowledged (DUPLICATE)") == std::string::npos);
}

TEST_CASE(
    "Windows agent under Wine: killed hard with help requests spooled, then restarted: each "
    "arrives once",
    "[windows][integration]") {
  CollectorFixture collector;
  WineAgent agent(collector, "killed");
  auto enrolled = agent.enroll();
  INFO("enroll: " << enrolled.out << enrolled.err);
  REQUIRE(enrolled.exit_code == 0);
  const auto id = agent.device_id();
  collector.stop();

  agent.start({"--report-interval", "2"});
  REQUIRE(eventually(
      [&] {
        return agent.process().stderr_text().find("listening for help requests") !=
               std::string::npos;
      },
      60s));
  for (const char* text : {"the vpn drops every hour", "teams has no sound"}) {
    auto queued = agent.get_help(text);
    INFO("get-help: " << queued.out << queued.err);
    REQUIRE(queued.exit_code == 0);
    CHECK_THAT(queued.out, Catch::Contains("queued"));
  }
  // What the user was told is queued has been committed: a kill now loses nothing.
  agent.process().kill_hard();

  agent.start({"--report-interval", "2"});
  collector.start();
  std::vector<v1::AgentMessage> messages;
  const bool both = eventually(
      [&] {
        messages = delivered(collector, id);
        return help_ids(messages).size() == 2;
      },
      90s);
  INFO("agent: " << agent.process().stderr_text());
  REQUIRE(both);
  agent.stop();
  for (const auto& [request, times] : help_ids(delivered(collector, id))) CHECK(times == 1);
  const auto rows = collector.reports(id);
  for (std::size_t i = 0; i < rows.size(); ++i) CHECK(rows[i].seq == i + 1);
}

TEST_CASE(
    "Windows agent under Wine: a signed order for a Windows action runs and its output comes "
    "back, an order for a Linux action or signed by another key is refused",
    "[windows][integration]") {
  TempDir actions;
  std::ofstream(actions.path() / "wine-hostname.toml") << kWineHostname;
  std::ofstream(actions.path() / "linux-echo.toml") << kLinuxEcho;
  CollectorFixture collector("[actions]\ndir = \"" + actions.path().string() + "\"\n");
  const auto tech = collector.login_as("tom", "technician");
  WineAgent agent(
      collector, "orders",
      "[policy]\nmax_risk = \"low\"\n" + allow_custom_line({kWineHostname, kLinuxEcho}));
  enroll_and_start(collector, agent);

  auto ticket = collector.post(
      "/api/v1/tickets", {{"title", "Which PC is this?"}, {"device_id", agent.device_id()}}, tech);
  REQUIRE(ticket.status == 201);
  const auto actions_path =
      "/api/v1/tickets/" + std::to_string(ticket.body["id"].get<std::int64_t>()) + "/actions";

  auto created = collector.post(actions_path, {{"action", "wine-hostname"}}, tech);
  INFO(created.text);
  REQUIRE(created.status == 201);
  auto order = wait_final(collector, created.body["id"].get<std::string>(), tech);
  INFO(order.dump(2) << "\nagent: " << agent.process().stderr_text());
  CHECK(order["state"] == "succeeded");
  CHECK(order["result"]["exit_code"] == 0);
  // Wine's hostname.exe prints the NetBIOS form of the name (upper case).
  CHECK_THAT(order["output"]["stdout"].get<std::string>(),
             Catch::StartsWith(local_host_name(), Catch::CaseSensitive::No));

  // The device said at hello that it runs Windows: a Linux action is refused before it is
  // signed (the agent's own refusal of one is tests/windows/order_refusals_test.cpp's).
  auto linux_order = collector.post(actions_path, {{"action", "linux-echo"}}, tech);
  INFO(linux_order.text);
  CHECK(linux_order.status == 409);
  CHECK_THAT(linux_order.text,
             Catch::Contains("is a linux action") && Catch::Contains("runs windows"));

  // The collector's order-signing key replaced behind the agent's back: what it signs now is
  // forged as far as the agent (which pinned the old key at enrollment) can tell.
  collector.stop();
  auto forger = triage::pki::generate_ed25519_key();
  REQUIRE(forger);
  const auto pki_dir = collector.data_dir() / "pki";
  REQUIRE(triage::write_file_atomic(pki_dir / "order-signing.key",
                                    *triage::pki::private_key_to_pem(forger->get()), 0600));
  REQUIRE(triage::write_file_atomic(pki_dir / "order-signing.pub",
                                    *triage::pki::public_key_to_pem(forger->get()), 0644));
  collector.start();
  REQUIRE(eventually([&] { return device_online(collector, agent.device_id()); }, 90s));
  auto forged = collector.post(actions_path, {{"action", "wine-hostname"}}, tech);
  INFO(forged.text);
  REQUIRE(forged.status == 201);
  auto forged_order = wait_final(collector, forged.body["id"].get<std::string>(), tech);
  INFO(forged_order.dump(2));
  CHECK(forged_order["state"] == "refused");
  CHECK_FALSE(forged_order.value("reason", "").empty());
  CHECK(forged_order["output"]["stdout"] == "");

  // The endpoint's own history keeps what it ran and refused, hash-chained.
  auto history =
      run_command(WineSession::shared().agent(
                      {"history", "--state", WineSession::windows_path(agent.state_dir())}),
                  collector.root(), "", 120s);
  INFO(history.out << history.err);
  CHECK(history.exit_code == 0);
  CHECK_THAT(history.out, Catch::Contains("wine-hostname") && Catch::Contains("refused"));
  CHECK_THAT(history.out, Catch::Contains("intact ("));
}
