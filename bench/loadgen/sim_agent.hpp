#pragma once
// One simulated agent: real TLS with its own device certificate, real protobuf, the same
// hello / snapshot / delta / ack flow as triage-agent, with latency bookkeeping.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "bench/loadgen/identities.hpp"
#include "shared/transport/backoff.hpp"
#include "shared/transport/websocket_client.hpp"
#include "triage/v1/envelope.pb.h"

namespace triage::loadgen {

/// Shared, read-only payloads and per-thread statistics.
struct Workload {
  std::string host;
  std::string port;
  std::string snapshot_body;  ///< serialized SnapshotReport: the machine as first seen
  /// Serialized DeltaReports between two real snapshots, there and back: sent alternately,
  /// each applies cleanly to the state the previous one left (base_seq is set per send).
  std::string delta_forward;
  std::string delta_back;
  /// Reconnect policy: the real agent's (AgentRuntimeOptions): full jitter from 1 s, doubling
  /// per failed attempt up to 5 min, reset by a HelloAck; 30 s to complete a handshake.
  std::chrono::milliseconds backoff_base{1000};
  std::chrono::milliseconds backoff_cap{300'000};
  std::chrono::milliseconds handshake_timeout{30'000};
  /// Resume TLS sessions from the collector's tickets, as the real agent does.
  bool tls_resumption = true;
};

/// Per-thread statistics. The atomics are read by the main thread while the loop runs.
struct Stats {
  std::atomic<std::int64_t> connected{0};    ///< sessions answered by a HelloAck, now
  std::atomic<std::uint64_t> hello_acks{0};  ///< every HelloAck, reconnections included
  std::atomic<std::uint64_t> attempts{0};    ///< connection attempts started
  std::atomic<std::uint64_t> resumed{0};     ///< TLS handshakes that resumed a session
  std::atomic<std::uint64_t> connect_failures{0};
  std::atomic<std::uint64_t> disconnects{0};
  /// Why attempts failed (the transport's reason, cut to its first clause), for diagnosis.
  std::map<std::string, std::uint64_t> failure_reasons;
  std::map<std::string, std::uint64_t> disconnect_reasons;
  std::uint64_t sent = 0;
  std::atomic<std::uint64_t> acked{0};
  std::atomic<std::int64_t> unacked{0};  ///< sent on the current connections, not acked yet
  std::uint64_t duplicates = 0;
  /// Latencies are recorded from the start of the delta traffic on (set by the main thread).
  std::atomic<bool> traffic{false};
  std::vector<double> ack_latency_ms;
  /// (device index, seq) of every report acknowledged STORED or DUPLICATE.
  std::vector<std::pair<std::uint32_t, std::uint64_t>> acked_reports;
};

class SimAgent final : public transport::WebSocketHandler {
 public:
  SimAgent(boost::asio::io_context& ioc, boost::asio::ssl::context& tls, const Identity& id,
           std::uint32_t index, const Workload& workload, Stats& stats);

  /// Starts connecting; after a failure or a disconnect it reconnects by itself with the
  /// jittered backoff until close().
  void connect();
  /// Sends one delta if connected and past its first snapshot. Returns whether it did.
  bool send_delta();
  bool ready() const { return ready_; }
  std::size_t outstanding() const { return sent_at_.size(); }
  /// No connection open nor being attempted.
  bool closed() const { return !connection_; }
  void close();

  void on_open(const std::shared_ptr<transport::WebSocketConnection>& connection) override;
  void on_message(std::string_view frame) override;
  void on_close(std::string_view reason) override;

 private:
  void send_report(bool snapshot);
  void send_frame(std::uint64_t seq, std::string frame);
  void on_hello_ack(const v1::HelloAck& ack);
  void schedule_reconnect();
  /// A live view: the real agent's samples in shape and size (five processes, an error line
  /// every tenth), sent each interval until the signed end or a stop. The start is not
  /// verified: this measures the collector, not the agent.
  void start_live(const v1::SignedLiveStart& start);
  void send_live_sample();

  boost::asio::io_context& ioc_;
  boost::asio::ssl::context& tls_;
  const Identity& id_;
  std::uint32_t index_;
  const Workload& workload_;
  Stats& stats_;
  std::shared_ptr<transport::WebSocketConnection> connection_;
  std::shared_ptr<transport::TlsSessionSlot> session_slot_;  ///< null without resumption
  transport::Backoff backoff_;
  boost::asio::steady_timer reconnect_timer_;
  boost::asio::steady_timer live_timer_;
  std::string live_session_;
  std::int64_t live_ends_at_ms_ = 0;
  std::uint32_t live_interval_ms_ = 1000;
  std::uint32_t live_seq_ = 0;
  bool stopping_ = false;
  bool ready_ = false;
  bool snapshot_sent_ = false;
  /// The state the last report sent leaves: true after a forward delta.
  bool at_second_ = false;
  std::uint64_t next_seq_ = 1;
  std::uint64_t last_seq_ = 0;
  /// Sent and not yet acknowledged, in seq order: resent after a reconnection.
  std::map<std::uint64_t, std::string> unacked_;
  std::unordered_map<std::uint64_t, std::chrono::steady_clock::time_point> sent_at_;
};

}  // namespace triage::loadgen
