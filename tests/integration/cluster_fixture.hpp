#pragma once
// Two real `triage-collector serve` nodes sharing one real PostgreSQL and one set of keys, the
// staff who order and approve, and a real agent enrolled through node A (run against a node or
// a balancer when a test says so). Shared by the cluster's integration tests (label
// `postgres`).

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/child_process.hpp"
#include "tests/support/collector_fixture.hpp"
#include "tests/support/temp_dir.hpp"

namespace triage::testing {

/// The high-risk test action every node knows (it needs a second person's approval).
extern const char* const kEchoHigh;

/// What the nodes of a cluster add to their config, the same on every node.
struct ClusterOptions {
  std::string actions;  ///< more `[actions]` keys beside `dir` ("order_ttl_s = 2\n")
  std::string extra;    ///< more sections ("[tickets]\n..."); not [log] nor [metrics]
};

/// The API of one node, whichever process serves it.
struct NodeApi {
  std::string ca_pem;
  std::uint16_t port = 0;

  ApiResponse get(const std::string& target, const std::string& bearer) const;
  ApiResponse post(const std::string& target, const nlohmann::json& body,
                   const std::string& bearer) const;
};

/// A node after the first: a copy of node A's data dir (CA, server certificate, order-signing
/// key, integrations.key) serving the same database under its own name.
class PeerNode {
 public:
  PeerNode(CollectorFixture& first, const std::string& config);
  std::uint16_t port() const { return port_; }
  ChildProcess& process() { return *process_; }

 private:
  TempDir dir_;
  std::unique_ptr<ChildProcess> process_;
  std::uint16_t port_ = 0;
};

/// PostgreSQL, nodes A and B on it, the staff (alice orders; bob and carol approve, all
/// seniors) and an agent enrolled through A (not running until run_agent()).
struct Cluster {
  explicit Cluster(const ClusterOptions& options = {});

  std::string db;
  TempDir actions;
  std::unique_ptr<CollectorFixture> a;
  std::unique_ptr<PeerNode> b;
  std::string admin, alice, bob, carol;
  std::filesystem::path agent_state;
  std::string device;

  /// The API of node "a" or "b".
  NodeApi api(const std::string& node) const;
  /// The process of node "a" or "b".
  ChildProcess& process(const std::string& node);

  /// Runs the agent against `port` (a node, or the balancer), allowed to run the test action;
  /// `run_args` go after `--state DIR` (e.g. --report-interval).
  std::unique_ptr<ChildProcess> run_agent(int port, const std::vector<std::string>& run_args = {});

  /// The device as node A's API shows it.
  nlohmann::json device_on_a();
  /// Waits until node A shows the device online on `node`.
  bool online_on(const std::string& node);

  /// A ticket for the device, opened by alice through `on`; its id.
  std::int64_t ticket_on(const NodeApi& on, const std::string& title);
  /// Alice orders the test action through `on`; the order's id (awaiting approval).
  std::string order_on(const NodeApi& on);
  /// Alice orders the test action on node A and bob approves it there; the order's id.
  std::string order_approved_on_a();
  /// The order as `on` reads it once it has ended (or after 60 s).
  nlohmann::json final_order(const NodeApi& on, const std::string& id);
  nlohmann::json final_order_on_a(const std::string& id) { return final_order(api("a"), id); }
  /// How many orders the endpoint's own history holds (`triage-agent history`).
  int history_entries();
  /// The device's reports in the shared database: how many rows hold each seq.
  std::map<std::uint64_t, int> stored_seqs();
};

}  // namespace triage::testing
