#pragma once
// One connected agent, after mTLS identified its device: hello and version negotiation,
// heartbeats, and reports handed to the ingest writer and acknowledged only once committed.
// Reading pauses while too many of this agent's reports are in flight, when the writer is
// over budget, or when the agent exceeds its message rate: back-pressure, never loss.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "collector/actions/order_service.hpp"
#include "collector/audit/audit_log.hpp"
#include "collector/channel/agent_presence.hpp"
#include "collector/enrollment/certificate_renewal.hpp"
#include "collector/ingest/ingest_writer.hpp"
#include "collector/live/live_service.hpp"
#include "collector/metrics/collector_metrics.hpp"
#include "collector/probes/probe_service.hpp"
#include "collector/storage/store.hpp"
#include "collector/tickets/enrichment_service.hpp"
#include "collector/tickets/help_request_intake.hpp"
#include "shared/protocol/wire_budget.hpp"
#include "shared/transport/websocket_handler.hpp"
#include "shared/util/token_bucket.hpp"
#include "triage/v1/envelope.pb.h"

namespace triage::collector {

struct AgentSessionSettings {
  std::uint32_t heartbeat_interval_s = 60;
  std::uint32_t report_interval_s = 900;
  std::size_t max_message_bytes = 4 * 1024 * 1024;
  /// Reports of one agent waiting for commit before its reading pauses.
  int max_in_flight = 64;
  /// What one agent's reports waiting for commit may cost (bytes, plus elements at
  /// protocol::kParsedBytesPerElement) before its reading pauses.
  std::size_t max_in_flight_cost = 32 * 1024 * 1024;
  /// Sustained frames per second one agent may send, and the burst above it.
  double messages_per_second = 20;
  double message_burst = 200;
  /// The same for order progress and results (answers to orders staff sent; an order's
  /// output comes in chunks of 8 KiB): a budget of their own, so neither an output stream
  /// nor a series of orders is slowed by the agent's reports, nor slows them.
  double order_messages_per_second = 200;
  double order_message_burst = 1000;
};

/// What every session shares: the collector's long-lived services.
struct AgentSessionServices {
  Store& store;
  AgentPresence& presence;
  IngestWriter& writer;
  CollectorMetrics& metrics;
  /// Told of committed snapshots (ticket enrichment, fleet findings); may be null.
  EnrichmentService* enrichment = nullptr;
  /// Turns committed help requests into tickets; may be null (then acknowledged without one).
  HelpRequestIntake* help_intake = nullptr;
  /// Remediation orders: catalog in the HelloAck, queued orders sent after it, and the
  /// agent's progress, output and results; may be null (orders then unsupported).
  OrderService* orders = nullptr;
  /// Records refused agent connections; may be null.
  AuditLog* audit = nullptr;
  /// Diagnostic probes: the agent's answers are recorded here; may be null (then ignored).
  ProbeService* probes = nullptr;
  /// Live views: the agent's samples and ends are stored here; may be null (then ignored).
  LiveService* live = nullptr;
  /// Certificate renewal over the connection; may be null (then refused with a reason).
  CertificateRenewer* renewer = nullptr;
};

class AgentSession final : public transport::WebSocketHandler {
 public:
  /// `certificate_sha256`: the certificate the device presented; its status (revoked,
  /// superseded) is checked again when the hello is answered.
  AgentSession(std::string device_id, std::string certificate_sha256, AgentSessionServices services,
               AgentSessionSettings settings);

  void on_open(const std::shared_ptr<transport::WebSocketConnection>& connection) override;
  void on_message(std::string_view frame) override;
  void on_close(std::string_view reason) override;

 private:
  /// State that ingest completions (on the writer thread) still need after the session ends.
  struct Shared {
    std::weak_ptr<transport::WebSocketConnection> connection;
    std::atomic<int> in_flight{0};
    std::atomic<std::size_t> in_flight_cost{0};
    std::atomic<bool> paused_for_in_flight{false};
    std::mutex mutex;         ///< orders the hello's completion against on_close
    bool hello_done = false;  ///< answered and registered as online
    bool closed = false;
  };

  void handle_hello(const v1::Hello& hello);
  /// The hello's second half, on the ingest writer thread: records the facts, registers the
  /// device as online (unless the session ended meanwhile) and answers.
  static void complete_hello(const std::shared_ptr<transport::WebSocketConnection>& conn,
                             const std::shared_ptr<Shared>& shared, AgentSessionServices services,
                             AgentSessionSettings settings, const std::string& device_id,
                             const std::string& certificate_sha256, std::uint64_t session_id,
                             const std::string& remote, const DeviceHelloFacts& facts,
                             std::uint32_t version);
  void handle_heartbeat(const v1::Heartbeat& heartbeat);
  /// `elements`: the report's list elements (protocol::WireBudget), what it costs parsed.
  void handle_report(const v1::AgentMessage& message, std::string_view frame,
                     std::uint64_t elements);
  /// A frame over the limits of protocol/message_limits.hpp: a report is rejected (and the
  /// device's state marked stale, a snapshot asked for after a delta); anything else closes
  /// the connection.
  void refuse_over_limit(const protocol::WireBudget& budget);
  void handle_order_progress(const v1::AgentMessage& message);
  void handle_probe_result(const v1::AgentMessage& message);
  void handle_live(const v1::AgentMessage& message);
  void handle_certificate_renewal(const v1::CertificateRenewal& renewal);
  /// Spends from the budget of this kind of message; over it, this frame is served and the
  /// next ones wait (TCP back-pressure).
  void apply_rate_limit(v1::AgentMessage::BodyCase kind);
  void refuse(v1::Refusal::Reason reason, const std::string& text, transport::CloseCode code);
  void send(const v1::CollectorMessage& message);

  std::string device_id_;
  std::string certificate_sha256_;
  /// The presented certificate's dates (when a renewal may be asked).
  std::int64_t certificate_not_before_ = 0;
  std::int64_t certificate_not_after_ = 0;
  bool renewal_asked_ = false;
  AgentSessionServices services_;
  AgentSessionSettings settings_;
  std::uint64_t session_id_;
  std::shared_ptr<Shared> shared_;
  std::shared_ptr<void> tracking_;  ///< in the presence's list of this device's sockets
  std::string remote_;
  bool hello_sent_ = false;
  std::chrono::steady_clock::time_point last_touch_{};
  TokenBucket message_budget_;
  TokenBucket order_message_budget_;
};

}  // namespace triage::collector
