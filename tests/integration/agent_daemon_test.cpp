// The agent daemon against a real collector on loopback: the offline spool, exactly-once
// delivery across kill -9, delta chains, help requests through the socket and the spool, and
// config errors. Delivery is asserted in the collector's own database.

#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <set>

#include <catch2/catch.hpp>

#include "tests/support/collector_fixture.hpp"
#include "triage/v1/envelope.pb.h"

using namespace triage::testing;
using namespace std::chrono_literals;
namespace v1 = triage::v1;

namespace {

struct Delivered {
  std::vector<ReportRow> rows;
  std::vector<v1::AgentMessage> messages;
};

Delivered delivered(CollectorFixture& collector, const std::string& device_id) {
  Delivered d;
  d.rows = collector.reports(device_id);
  for (const auto& row : d.rows) {
    v1::AgentMessage m;
    REQUIRE(m.ParseFromString(row.payload));
    d.messages.push_back(std::move(m));
  }
  return d;
}

/// Help request ids delivered, each with how many times the collector stored it.
std::map<std::string, int> help_ids(const Delivered& d) {
  std::map<std::string, int> ids;
  for (const auto& m : d.messages) {
    if (m.has_help_request()) ids[m.help_request().request_id()]++;
  }
  return ids;
}

CommandResult get_help(AgentFixture& agent, const std::filesystem::path& cwd,
                       const std::string& text, const std::string& wait = "0") {
  return run_command({binary("triage-agent"), "get-help", "--state", agent.state_dir().string(),
                      "--config", agent.config_path().string(), "--wait", wait, text},
                     cwd);
}

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + 1)) {
    ++n;
  }
  return n;
}

/// Every delta applies on the report just before it in the chain (snapshot or delta).
void check_chain(const Delivered& d) {
  std::optional<std::uint64_t> previous;
  for (const auto& m : d.messages) {
    if (m.has_snapshot()) previous = m.seq();
    if (m.has_delta()) {
      REQUIRE(previous);
      CHECK(m.delta().delta().base_seq() == *previous);
      previous = m.seq();
    }
  }
}

}  // namespace

TEST_CASE("collector down: help requests and deltas are spooled, then delivered once, in order",
          "[integration][agent-daemon]") {
  CollectorFixture collector;
  AgentFixture agent(collector, "offline");
  REQUIRE(agent.enroll().exit_code == 0);
  const auto id = agent.device_id();
  collector.stop();

  agent.start({"--report-interval", "2"});
  REQUIRE(eventually([&] {
    return agent.process()->stderr_text().find("listening for help requests") != std::string::npos;
  }));
  auto first = get_help(agent, collector.root(), "printer does not print");
  CHECK(first.exit_code == 0);
  CHECK_THAT(first.out, Catch::Contains("queued"));
  // A full snapshot and at least two deltas pile up while the collector is away.
  REQUIRE(eventually([&] { return count(agent.process()->stderr_text(), "delta #") >= 2; }, 60s));
  auto second = get_help(agent, collector.root(), "no internet since this morning");
  CHECK(second.exit_code == 0);

  collector.start();
  Delivered d;
  REQUIRE(eventually(
      [&] {
        d = delivered(collector, id);
        return help_ids(d).size() == 2 &&
               std::count_if(d.rows.begin(), d.rows.end(),
                             [](const auto& r) { return r.kind == "delta"; }) >= 2;
      },
      60s));
  agent.stop();
  d = delivered(collector, id);
  for (const auto& [request, times] : help_ids(d)) CHECK(times == 1);
  // Gap-free and in order: the spool resent everything by seq.
  for (std::size_t i = 0; i < d.rows.size(); ++i) CHECK(d.rows[i].seq == i + 1);
  for (std::size_t i = 1; i < d.rows.size(); ++i) {
    CHECK(d.rows[i].received_at >= d.rows[i - 1].received_at);
  }
  // The chain starts with a full snapshot.
  auto first_chain = std::find_if(d.messages.begin(), d.messages.end(),
                                  [](const auto& m) { return !m.has_help_request(); });
  REQUIRE(first_chain != d.messages.end());
  CHECK(first_chain->has_snapshot());
  check_chain(d);
  const auto log = agent.process()->stderr_text();
  CHECK(log.find("acknowledged (DUPLICATE)") == std::string::npos);
}

TEST_CASE("kill -9 of the agent between spool write and ack: still exactly once",
          "[integration][agent-daemon]") {
  CollectorFixture collector;
  AgentFixture agent(collector, "killed");
  REQUIRE(agent.enroll().exit_code == 0);
  const auto id = agent.device_id();
  agent.start();
  REQUIRE(eventually([&] { return device_online(collector, id); }));
  REQUIRE(eventually([&] { return !delivered(collector, id).rows.empty(); }));

  // Freeze the collector: the report leaves the agent but its ack cannot come back.
  REQUIRE(::kill(collector.process().pid(), SIGSTOP) == 0);
  auto help = get_help(agent, collector.root(), "laptop is very slow");
  CHECK(help.exit_code == 0);
  REQUIRE(eventually([&] {
    return agent.process()->stderr_text().find("sent help_request #") != std::string::npos;
  }));
  agent.process()->kill_hard();
  REQUIRE(::kill(collector.process().pid(), SIGCONT) == 0);
  // The collector commits what was on the wire; its ack goes to a dead connection.
  REQUIRE(eventually([&] { return help_ids(delivered(collector, id)).size() == 1; }, 30s));

  agent.start();
  REQUIRE(eventually(
      [&] {
        return agent.process()->stderr_text().find("acknowledged (DUPLICATE)") != std::string::npos;
      },
      60s));
  auto d = delivered(collector, id);
  auto ids = help_ids(d);
  REQUIRE(ids.size() == 1);
  CHECK(ids.begin()->second == 1);
  check_chain(d);
}

TEST_CASE("a help request through the socket carries the user and a fresh snapshot",
          "[integration][agent-daemon]") {
  CollectorFixture collector;
  AgentFixture agent(collector, "socket");
  REQUIRE(agent.enroll().exit_code == 0);
  const auto id = agent.device_id();
  agent.start();
  REQUIRE(eventually([&] { return device_online(collector, id); }));
  auto r = get_help(agent, collector.root(), "cannot print to the office printer", "5");
  CHECK(r.exit_code == 0);
  // The collector opened a ticket before acknowledging: the user gets its number.
  CHECK_THAT(r.out, Catch::Contains("Your request is ticket "));
  auto d = delivered(collector, id);
  const v1::HelpRequest* found = nullptr;
  for (const auto& m : d.messages) {
    if (m.has_help_request()) found = &m.help_request();
  }
  REQUIRE(found != nullptr);
  CHECK(found->text() == "cannot print to the office printer");
  CHECK(found->local_uid() == ::getuid());
  CHECK_FALSE(found->local_user().empty());
  CHECK(found->request_id().size() == 32);
  CHECK_FALSE(found->snapshot().system().hostname().empty());
}

TEST_CASE("with no agent running, get-help queues the request in the spool itself",
          "[integration][agent-daemon]") {
  CollectorFixture collector;
  AgentFixture agent(collector, "spooled");
  REQUIRE(agent.enroll().exit_code == 0);
  const auto id = agent.device_id();
  auto r = get_help(agent, collector.root(), "screen flickers");
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("not running") && Catch::Contains("queued"));
  agent.start();
  REQUIRE(eventually([&] { return help_ids(delivered(collector, id)).size() == 1; }, 30s));
  auto d = delivered(collector, id);
  CHECK(d.messages.front().has_help_request());  // spooled first, so sent first
  CHECK(d.messages.front().help_request().text() == "screen flickers");
}

TEST_CASE("a bad config stops the agent with the key and line", "[integration][agent-daemon]") {
  CollectorFixture collector;
  AgentFixture agent(collector, "config");
  REQUIRE(agent.enroll().exit_code == 0);
  const auto config = collector.root() / "agent.toml";
  std::ofstream(config) << "[schedule]\nreport_interval_s = 60\n\n[spool]\nmax_gb = 3\n";
  auto r = run_command({binary("triage-agent"), "run", "--state", agent.state_dir().string(),
                        "--config", config.string()},
                       collector.root(), "", 20s);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("unknown config key `spool.max_gb` on line 5"));
}
