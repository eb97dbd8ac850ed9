// Two real `triage-collector serve` nodes sharing one real PostgreSQL and one set of keys, and
// a real agent connected to node B (directly, or through a real HAProxy in TCP mode): what
// staff do on node A reaches it, and node A sees B die. Label `postgres`.

#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <vector>

#include "tests/integration/cluster_fixture.hpp"
#include "tests/support/haproxy_server.hpp"

using namespace triage::testing;
using namespace std::chrono_literals;

TEST_CASE(
    "two collector nodes on PostgreSQL: an order approved on node A reaches the agent "
    "on node B and its output is read on A, and B killed with -9 shows offline on A in 30 s",
    "[integration][pg]") {
  Cluster cluster;
  auto agent = cluster.run_agent(cluster.b->port());
  INFO("B: " << cluster.b->process().stderr_text());
  REQUIRE(cluster.online_on("b"));

  const auto id = cluster.order_approved_on_a();
  const auto order = cluster.final_order_on_a(id);
  INFO(order.dump(2) << "\nagent: " << agent->stderr_text());
  CHECK(order["state"] == "succeeded");
  CHECK(order["output"]["stdout"] == "approved and ran\n");

  // Node B dies without a word: node A shows the device offline once B's lease runs out.
  cluster.b->process().kill_hard();
  const auto killed = std::chrono::steady_clock::now();
  CHECK(eventually([&] { return !cluster.device_on_a().value("online", true); }, 30s));
  CHECK(std::chrono::steady_clock::now() - killed <= 30s);
  CHECK(cluster.device_on_a()["node"].is_null());
}

TEST_CASE(
    "behind HAProxy, an agent whose node is killed with -9 while it sends reports comes back "
    "on the other node, every report stored once, and an order queued meanwhile runs exactly "
    "once",
    "[integration][pg][haproxy]") {
  Cluster cluster;
  // B first: the balancer sends every agent to B while it is up.
  HaproxyServer balancer({{"b", cluster.b->port()}, {"a", cluster.a->port()}});
  auto agent = cluster.run_agent(balancer.port(), {"--report-interval", "2"});
  REQUIRE(cluster.online_on("b"));
  // Reports flow to B (a snapshot, then deltas) when it dies.
  std::uint64_t newest_on_b = 0;
  REQUIRE(eventually(
      [&] {
        const auto seqs = cluster.stored_seqs();
        newest_on_b = seqs.empty() ? 0 : seqs.rbegin()->first;
        return seqs.size() >= 2;
      },
      60s));

  cluster.b->process().kill_hard();
  // Ordered while the device still shows on B (B's lease runs on): relayed to B, which is
  // gone, and delivered by A once the agent is back there.
  const auto id = cluster.order_approved_on_a();
  REQUIRE(cluster.online_on("a"));
  const auto order = cluster.final_order_on_a(id);
  INFO(order.dump(2) << "\nagent: " << agent->stderr_text());
  CHECK(order["state"] == "succeeded");
  CHECK(order["output"]["stdout"] == "approved and ran\n");

  // The endpoint ran it once: one entry in its own history.
  CHECK(cluster.history_entries() == 1);

  // Reports go on through A; what the agent sent to B and did not see acknowledged it sent
  // again: every seq from the first to the newest is stored, once.
  std::map<std::uint64_t, int> seqs;
  REQUIRE(eventually(
      [&] {
        seqs = cluster.stored_seqs();
        return !seqs.empty() && seqs.rbegin()->first >= newest_on_b + 2;
      },
      60s));
  std::vector<std::uint64_t> missing, twice;
  for (std::uint64_t seq = 1; seq <= seqs.rbegin()->first; ++seq) {
    const auto it = seqs.find(seq);
    if (it == seqs.end()) missing.push_back(seq);
    if (it != seqs.end() && it->second != 1) twice.push_back(seq);
  }
  INFO("newest on B " << newest_on_b << ", newest now " << seqs.rbegin()->first);
  CHECK(missing.empty());
  CHECK(twice.empty());
}
