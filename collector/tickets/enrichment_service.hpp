#pragma once
// Ticket enrichment: diagnostics of a linked device attached to the ticket with findings and
// what changed. An online agent is asked for a fresh snapshot; when it does not answer in
// time, or is offline, the newest stored snapshot is used and labelled with its age. On
// resolve, a verification snapshot is compared with the one taken at creation.
//
// Work runs on one thread of its own (timers and database writes), never on I/O threads.

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "collector/channel/agent_channel.hpp"
#include "collector/storage/store.hpp"
#include "collector/tickets/enrichment_scheduler.hpp"
#include "collector/tickets/outbox_planner.hpp"

namespace triage::collector {

struct EnrichmentSettings {
  /// How long to wait for an online agent's fresh snapshot.
  std::chrono::milliseconds fresh_timeout{3000};
  /// "What changed" compares with the newest snapshot at least this much older.
  std::chrono::hours baseline_age{24};
  /// Fleet findings are refreshed from devices' new states while fewer than this many
  /// devices wait for it (each device waits at most once: refreshes coalesce).
  std::size_t max_queued_evaluations = 20'000;
  /// A device's fleet findings are re-evaluated at most this often: each evaluation parses
  /// its whole state, and thousands of devices may send deltas every second. The first change
  /// after a quiet period is evaluated at once.
  std::chrono::milliseconds fleet_refresh_interval{60'000};
  /// Devices whose fleet findings are evaluated together and written in one transaction.
  /// One transaction per device took the store's write lock ~170 times a second with 10,000
  /// devices reporting, in turn with the ingest writer. Ticket work queued meanwhile waits for
  /// at most two batches (≈ 1 ms of parsing per device), not for every queued refresh.
  std::size_t fleet_refresh_batch = 64;
};

class EnrichmentService final : public EnrichmentScheduler {
 public:
  /// `outbox` (may be null: nothing planned) enqueues what attached diagnostics cause.
  EnrichmentService(Store& store, AgentChannel& agents, EnrichmentSettings settings = {},
                    OutboxPlanner* outbox = nullptr);
  ~EnrichmentService() override;
  EnrichmentService(const EnrichmentService&) = delete;
  EnrichmentService& operator=(const EnrichmentService&) = delete;

  void enrich(std::int64_t ticket_id, const std::string& device_id,
              const std::string& purpose) override;
  /// Attaches the snapshot carried by a stored report (a help request's own diagnostics).
  void enrich_from_report(std::int64_t ticket_id, const std::string& device_id, std::uint64_t seq,
                          const std::string& purpose);
  /// A snapshot report answering `request_id` was committed (called on the ingest writer
  /// thread; returns at once): completes the enrichments waiting for it.
  void snapshot_committed(const std::string& device_id, std::uint64_t seq,
                          const std::string& request_id);
  /// The device's materialized state moved on (a snapshot or a delta was applied; called on
  /// the ingest writer thread; returns at once): its fleet findings are re-evaluated.
  void state_changed(const std::string& device_id);
  /// Finishes queued work and stops the thread.
  void stop();

 private:
  struct Waiter {
    std::int64_t ticket_id;
    std::string purpose;
  };
  struct PendingRequest {
    std::string device_id;
    std::vector<Waiter> waiters;
    std::unique_ptr<boost::asio::steady_timer> timer;
    std::chrono::steady_clock::time_point asked;
  };

  void start_enrichment(std::int64_t ticket_id, const std::string& device_id,
                        const std::string& purpose);
  void complete_request(const std::string& request_id, std::optional<std::uint64_t> seq);
  void attach(const std::string& device_id, const std::vector<Waiter>& waiters,
              const std::optional<StoredReport>& report, const std::string& source,
              const std::string& note);
  /// Evaluates the device's fleet findings from its current state; false when it has none.
  bool evaluate_fleet_findings(const std::string& device_id, std::vector<DeviceFinding>& out,
                               TimePoint& as_of);
  /// On the service thread: refreshes now, or when the device's interval has passed.
  void schedule_refresh(const std::string& device_id);
  /// Queues the device for the next batch of refreshes.
  void run_refresh(const std::string& device_id);
  /// Evaluates up to one batch of queued devices and writes their findings together.
  void refresh_due_batch();
  /// The device's materialized state as a snapshot report (seq and time of the state), or
  /// its newest full snapshot when it has no state yet; nullopt when it sent neither.
  Result<std::optional<StoredReport>> current_state(const std::string& device_id);

  Store& store_;
  AgentChannel& agents_;
  EnrichmentSettings settings_;
  OutboxPlanner* outbox_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  // Touched only on the service thread.
  std::unordered_map<std::string, PendingRequest> pending_;         // by request id
  std::unordered_map<std::string, std::string> request_of_device_;  // device -> request id
  std::mutex refresh_mutex_;
  std::unordered_set<std::string> refresh_pending_;  // devices with a refresh queued
  // Service thread only: when each device was last evaluated, and the deferred refreshes.
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> last_refresh_;
  std::unordered_map<std::string, std::unique_ptr<boost::asio::steady_timer>> refresh_timers_;
  std::vector<std::string> due_refreshes_;
  bool refresh_batch_posted_ = false;
  std::thread thread_;
};

}  // namespace triage::collector
