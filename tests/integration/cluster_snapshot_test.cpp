// Two real nodes on a real PostgreSQL and a real agent on node B: a ticket opened on node A for
// the device gets the fresh snapshot the agent sends through B, not its stored state once the
// wait runs out. Label `postgres`.

#include <catch2/catch.hpp>

#include "tests/integration/cluster_fixture.hpp"

using namespace triage::testing;
using namespace std::chrono_literals;

TEST_CASE(
    "two collector nodes on PostgreSQL: a ticket opened on node A for a device on node B gets "
    "a fresh snapshot",
    "[integration][pg]") {
  ClusterOptions options;
  // Long enough that only a lost answer, never a slow machine, ends in stored diagnostics.
  options.extra = "[tickets]\nfresh_snapshot_timeout_ms = 30000\n";
  Cluster cluster(options);
  auto agent = cluster.run_agent(cluster.b->port());
  REQUIRE(cluster.online_on("b"));

  const auto id = cluster.ticket_on(cluster.api("a"), "my laptop is slow");
  nlohmann::json ticket;
  const bool attached = eventually(
      [&] {
        ticket = cluster.api("a").get("/api/v1/tickets/" + std::to_string(id), cluster.alice).body;
        return ticket["diagnostics"].is_array() && !ticket["diagnostics"].empty();
      },
      60s);
  INFO(ticket.dump(2) << "\nB: " << cluster.b->process().stderr_text());
  REQUIRE(attached);
  const auto& d = ticket["diagnostics"][0];
  CHECK(d["device_id"] == cluster.device);
  CHECK(d["purpose"] == "creation");
  CHECK(d["source"] == "fresh");
  CHECK_THAT(d["note"].get<std::string>(), Catch::StartsWith("taken on request"));
}
