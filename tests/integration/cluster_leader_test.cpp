// Two real nodes on a real PostgreSQL: the node that leads the order expiry sweep is killed
// with -9, and the other node expires orders from then on; outbound webhooks keep going out
// from the survivor, the one that failed before the kill included. Label `postgres`.

#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "tests/integration/cluster_fixture.hpp"
#include "tests/support/https_receiver.hpp"

using namespace triage::testing;
using namespace std::chrono_literals;

namespace {

const std::string kLeads = "order expiry sweep: this node leads it now";

bool logged(Cluster& cluster, const std::string& node, const std::string& line) {
  return cluster.process(node).stderr_text().find(line) != std::string::npos;
}

/// Deliveries of webhook `id` as `on` lists them.
nlohmann::json deliveries(Cluster& cluster, const NodeApi& on, std::int64_t id) {
  auto res = on.get("/api/v1/webhooks/" + std::to_string(id) + "/deliveries", cluster.admin);
  REQUIRE(res.status == 200);
  return res.body["deliveries"];
}

}  // namespace

TEST_CASE(
    "two collector nodes on PostgreSQL: the leader of the order expiry sweep killed with -9, "
    "the other node expires orders and delivers webhooks from then on",
    "[integration][pg]") {
  TempDir tmp;
  HttpsReceiver receiver(tmp.path() / "receiver-ca.pem");
  receiver.start();
  ClusterOptions options;
  // Orders for an offline device expire 2 s after approval; the sweep looks every 200 ms.
  options.actions = "order_ttl_s = 2\nclock_skew_s = 0\nsweep_interval_ms = 200\n";
  options.extra = "[webhooks]\nextra_ca_file = \"" + (tmp.path() / "receiver-ca.pem").string() +
                  "\"\nconnect_timeout_ms = 1000\nrequest_timeout_ms = 2000\n"
                  "[rt]\nconnect_timeout_ms = 1000\nrequest_timeout_ms = 1000\n"
                  "[outbox]\nretry_base_ms = 100\nretry_cap_ms = 400\npoll_interval_ms = 200\n";
  Cluster cluster(options);

  // One node takes the sweep's lead; the other keeps trying (every 5 s) and does not get it.
  std::string leader;
  REQUIRE(eventually([&] {
    for (const char* node : {"a", "b"}) {
      if (logged(cluster, node, kLeads)) leader = node;
    }
    return !leader.empty();
  }));
  const std::string survivor = leader == "a" ? "b" : "a";
  INFO("leader " << leader << ", survivor " << survivor);
  CHECK_FALSE(logged(cluster, survivor, kLeads));
  const NodeApi on = cluster.api(survivor);

  auto hook = on.post("/api/v1/webhooks", {{"url", receiver.url()}, {"events", {"ticket.created"}}},
                      cluster.admin);
  INFO(hook.text);
  REQUIRE(hook.status == 201);
  const auto hook_id = hook.body["id"].get<std::int64_t>();
  // A delivery failing before the kill: it is retried, whichever node tries next.
  receiver.set_status(503);
  cluster.ticket_on(cluster.api(leader), "before the kill");
  REQUIRE(eventually([&] {
    auto log = deliveries(cluster, on, hook_id);
    return log.size() == 1 && log[0]["attempts"].get<int>() >= 1;
  }));

  cluster.process(leader).kill_hard();
  receiver.set_status(200);

  // Ordered on the survivor for a device that is offline (its agent never ran): queued, and
  // expired by the sweep once the survivor leads it.
  const auto id = cluster.order_on(on);
  auto approved =
      on.post("/api/v1/orders/" + id + "/approve", nlohmann::json::object(), cluster.bob);
  INFO(approved.text);
  REQUIRE(approved.status == 200);
  CHECK(approved.body["state"] == "queued");
  nlohmann::json order;
  const bool expired = eventually(
      [&] {
        order = on.get("/api/v1/orders/" + id, cluster.alice).body;
        return order.value("state", "") == "expired";
      },
      60s);
  INFO(order.dump(2) << "\nsurvivor: " << cluster.process(survivor).stderr_text());
  CHECK(expired);
  CHECK(logged(cluster, survivor, kLeads));

  // The outbox: what failed before the kill and what happened after it go out (the order's
  // ticket, "slow", was opened after it too).
  cluster.ticket_on(on, "after the kill");
  nlohmann::json log;
  const bool delivered = eventually(
      [&] {
        log = deliveries(cluster, on, hook_id);
        if (log.size() != 3) return false;
        for (const auto& d : log) {
          if (d["status"] != "delivered") return false;
        }
        return true;
      },
      60s);
  INFO(log.dump(2));
  CHECK(delivered);
  std::set<std::string> titles;
  for (const auto& r : receiver.requests()) {
    if (r.answered != 200) continue;
    titles.insert(nlohmann::json::parse(r.body)["ticket"]["title"].get<std::string>());
  }
  CHECK(titles == std::set<std::string>{"before the kill", "slow", "after the kill"});
}
