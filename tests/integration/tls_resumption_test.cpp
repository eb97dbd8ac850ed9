// The real agent resumes its TLS session after the collector restarts (the ticket keys are in
// the data directory), and a resumed session is no way around revocation: the device is
// refused at its hello as after a full handshake.

#include <catch2/catch.hpp>

#include "tests/support/collector_fixture.hpp"

using namespace triage::testing;

TEST_CASE("the agent resumes its TLS session after a restart, and revocation still holds",
          "[integration]") {
  CollectorFixture collector;
  AgentFixture agent(collector, "a");
  REQUIRE(agent.enroll().exit_code == 0);
  const auto id = agent.device_id();
  agent.start();
  REQUIRE(eventually([&] { return device_online(collector, id); }));
  CHECK(collector.metric("triage_tls_resumed_handshakes_total") ==
        0);  // the first connection is a full handshake

  collector.stop();
  collector.start();
  REQUIRE(eventually([&] { return device_online(collector, id); }, std::chrono::seconds(30)));
  // The restarted collector opened the ticket the agent received before the restart.
  CHECK(collector.metric("triage_tls_resumed_handshakes_total") >= 1);
  const double before_revocation = collector.metric("triage_tls_resumed_handshakes_total");

  auto revoke = collector.post("/api/v1/devices/" + id + "/revoke", {}, collector.admin_token());
  REQUIRE(revoke.status == 200);
  REQUIRE(eventually([&] { return !device_online(collector, id); }));
  // The agent comes back with its ticket, and is refused all the same.
  CHECK(eventually(
      [&] { return collector.metric("triage_tls_resumed_handshakes_total") > before_revocation; }));
  CHECK(eventually([&] {
    return collector.process().stderr_text().find("refused: device " + id + " was revoked") !=
           std::string::npos;
  }));
  CHECK_FALSE(device_online(collector, id));
}
