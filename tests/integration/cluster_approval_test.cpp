// Two real nodes on a real PostgreSQL and a real agent: two seniors approve the same order at
// the same moment, one through each node. One approval wins, the other is told the order moved
// on (409), and the endpoint runs the order once. Label `postgres`.

#include <catch2/catch.hpp>

#include <latch>
#include <thread>

#include "tests/integration/cluster_fixture.hpp"

using namespace triage::testing;
using namespace std::chrono_literals;

TEST_CASE(
    "two collector nodes on PostgreSQL: the same order approved on both nodes at once is "
    "approved once, the other approver gets a conflict, and the order runs once",
    "[integration][pg]") {
  Cluster cluster;
  auto agent = cluster.run_agent(cluster.b->port());
  REQUIRE(cluster.online_on("b"));

  // A few rounds: each one a new order, both approvals sent together.
  constexpr int kRounds = 3;
  for (int round = 1; round <= kRounds; ++round) {
    const auto id = cluster.order_on(cluster.api("a"));
    ApiResponse on_a, on_b;
    std::string failed;
    std::latch go(2);
    auto approve = [&](const NodeApi& node, const std::string& bearer, ApiResponse& out) {
      go.arrive_and_wait();
      try {
        out = node.post("/api/v1/orders/" + id + "/approve", nlohmann::json::object(), bearer);
      } catch (const std::exception& e) {
        failed = e.what();  // asserted on the test's thread
      }
    };
    std::thread bob([&] { approve(cluster.api("a"), cluster.bob, on_a); });
    std::thread carol([&] { approve(cluster.api("b"), cluster.carol, on_b); });
    bob.join();
    carol.join();
    INFO("round " << round << "\nA: " << on_a.status << " " << on_a.text << "\nB: " << on_b.status
                  << " " << on_b.text);
    REQUIRE(failed.empty());
    const bool a_won = on_a.status == 200;
    CHECK(a_won != (on_b.status == 200));
    const ApiResponse& lost = a_won ? on_b : on_a;
    CHECK(lost.status == 409);
    CHECK(lost.body["error"]["code"].is_string());
    CHECK_FALSE(lost.body["error"]["message"].get<std::string>().empty());

    const auto order = cluster.final_order_on_a(id);
    INFO(order.dump(2));
    CHECK(order["state"] == "succeeded");
    CHECK(order["approved_by"] == (a_won ? "bob" : "carol"));
    CHECK(order["output"]["stdout"] == "approved and ran\n");
    // One approval in the order's ticket timeline, by the winner.
    auto ticket = cluster.api("b").get(
        "/api/v1/tickets/" + std::to_string(order["ticket_id"].get<std::int64_t>()), cluster.alice);
    REQUIRE(ticket.status == 200);
    int approvals = 0;
    for (const auto& event : ticket.body["timeline"]) {
      if (event.value("kind", "") == "action_approved") ++approvals;
    }
    CHECK(approvals == 1);
    CHECK(cluster.history_entries() == round);
  }
}
