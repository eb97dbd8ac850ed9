#pragma once
// The agent channel of a collector node among several sharing one PostgreSQL database. This
// node's own sessions stay in a LocalAgentChannel; the database holds what the other nodes need:
// this node's lease, renewed every few seconds (collector_nodes), and which node holds each
// device's session (device_sessions), so any node answers is_online() and locate() for any
// device. A message for a device on another live node is written for that node
// (channel_messages) and that node is woken with NOTIFY; each node keeps one LISTEN connection
// (its own thread, reconnecting when lost and then taking what it missed), delivers to its
// local session and deletes the row. A device whose session moved gets what was relayed to
// its old node from the node it comes back to. A snapshot request relayed here and answered by
// the device here is announced to the other nodes, so the node that asked (ticket enrichment
// waiting for it) takes the fresh snapshot. See docs/architecture.md.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "collector/channel/agent_channel.hpp"
#include "collector/channel/agent_presence.hpp"
#include "collector/channel/local_agent_channel.hpp"
#include "collector/channel/postgres/cluster_settings.hpp"
#include "shared/util/periodic_task.hpp"
#include "shared/util/result.hpp"

namespace triage::postgres {
class Connection;
class Pool;
}  // namespace triage::postgres

namespace triage::collector {

class PgAgentChannel final : public AgentChannel, public AgentPresence {
 public:
  /// The largest message relayed to another node (a serialized CollectorMessage); a bigger
  /// one is dropped with an error in the log.
  static constexpr std::size_t kMaxRelayedBytes = 4 * 1024 * 1024;

  /// Joins the cluster on the database at `conninfo` (its schema migrated by the store):
  /// deletes what a previous run of this node left, takes this node's lease, and starts the
  /// lease renewal, the presence writer and the LISTEN thread. kUnavailable when the database
  /// cannot be reached.
  static Result<std::unique_ptr<PgAgentChannel>> start(const std::string& conninfo,
                                                       ClusterSettings settings);
  ~PgAgentChannel() override;
  PgAgentChannel(const PgAgentChannel&) = delete;
  PgAgentChannel& operator=(const PgAgentChannel&) = delete;

  /// Writes the presence changes still queued, ends this node's lease and forgets its
  /// sessions in the database, and stops the threads. Once; the destructor calls it.
  void stop();

  /// This node's name.
  const std::string& node() const { return local_.node(); }
  /// The address other nodes' operators see for this node (diagnostics only).
  void set_address(std::string address);
  /// Called on the presence thread once a device's session here is visible to every node,
  /// so what other nodes queued for it meanwhile (orders) goes out. Null: nothing.
  void set_published_listener(std::function<void(const std::string& device_id)> listener);
  /// Called once another node committed the snapshot that a request sent from here asked
  /// for (on the LISTEN thread): report `seq` of the device answers `request_id`. Null:
  /// nothing.
  using SnapshotListener = std::function<void(const std::string& device_id, std::uint64_t seq,
                                              const std::string& request_id)>;
  void set_snapshot_listener(SnapshotListener listener);

  // AgentChannel
  Delivery send(const std::string& device_id, const v1::CollectorMessage& message) override;
  std::size_t broadcast(const v1::CollectorMessage& message) override;
  bool is_online(const std::string& device_id) const override;
  std::optional<AgentLocation> locate(const std::string& device_id) const override;
  std::vector<std::optional<AgentLocation>> locate_each(
      const std::vector<std::string>& device_ids) const override;
  void disconnect(const std::string& device_id, transport::CloseCode code,
                  std::string reason) override;

  // AgentPresence
  std::shared_ptr<transport::WebSocketConnection> attach(
      const std::string& device_id, std::uint64_t session_id,
      const std::shared_ptr<transport::WebSocketConnection>& connection) override;
  void detach(const std::string& device_id, std::uint64_t session_id) override;
  std::shared_ptr<void> track(const std::string& device_id, Closer close) override;
  void snapshot_committed(const std::string& device_id, std::uint64_t seq,
                          const std::string& request_id) override;

  /// Presence changes written to the database so far (for tests: poll with a deadline).
  std::uint64_t presence_writes() const { return presence_writes_.load(); }
  /// Whether the LISTEN connection is up now.
  bool listening() const { return listening_.load(); }

 private:
  struct PresenceChange {
    bool attach = false;
    std::string device_id;
    std::uint64_t session_id = 0;
    std::string remote_address;
    std::int64_t since_ms = 0;
  };
  struct Answer {
    std::string device_id;
    std::uint64_t seq = 0;
    std::string request_id;
  };

  PgAgentChannel(const std::string& conninfo, ClusterSettings settings);
  /// One lease renewal (and the expiry of messages nobody took).
  void renew();
  /// Writes the queued presence changes in order; a failed one waits for the next run.
  void write_presence();
  /// Tells the other live nodes of the snapshots answered here for them.
  void relay_answers();
  /// Acts on relayed rows for this node until none are left.
  void take_relayed();
  /// Delivers a relayed message to the local session, or passes it on when the device is not
  /// here (any more).
  void deliver(postgres::Connection& conn, const std::string& device_id,
               const std::string& payload);
  void listen_loop();
  /// Waits up to `timeout` for stop(); true when stopping.
  bool wait_for_stop(std::chrono::milliseconds timeout) const;

  const std::string conninfo_;
  const ClusterSettings settings_;
  LocalAgentChannel local_;
  std::unique_ptr<postgres::Pool> pool_;

  std::mutex address_mutex_;
  std::string address_;

  std::mutex presence_mutex_;
  std::deque<PresenceChange> presence_queue_;
  std::atomic<std::uint64_t> presence_writes_{0};

  // Snapshot requests other nodes relayed here, by request id, until answered or old, and the
  // answers waiting for relay_answers().
  struct RelayedRequest {
    std::string device_id;
    std::chrono::steady_clock::time_point at;
  };
  std::mutex requests_mutex_;
  std::unordered_map<std::string, RelayedRequest> relayed_requests_;
  std::deque<Answer> answers_;

  std::mutex listener_mutex_;
  std::function<void(const std::string&)> published_;
  SnapshotListener snapshot_listener_;

  std::atomic<bool> stopping_{false};
  std::atomic<bool> stopped_{false};
  std::atomic<bool> listening_{false};
  int stop_fd_ = -1;  // an eventfd, readable once stop() is called
  std::unique_ptr<PeriodicTask> lease_task_;
  std::unique_ptr<PeriodicTask> presence_task_;
  std::thread listener_;
};

}  // namespace triage::collector
