#pragma once
// One simulated agent: real TLS with its own device certificate, real protobuf, the same
// hello / snapshot / delta / ack flow as triage-agent, with latency bookkeeping.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include "bench/loadgen/identities.hpp"
#include "shared/transport/websocket_client.hpp"

namespace triage::loadgen {

/// Shared, read-only payloads and per-thread statistics.
struct Workload {
  std::string host;
  std::string port;
  std::string snapshot_body;  ///< serialized SnapshotReport
  std::string delta_body;     ///< serialized DeltaReport (base_seq patched per send)
};

struct Stats {
  std::uint64_t connected = 0;
  std::uint64_t connect_failures = 0;
  std::uint64_t disconnects = 0;
  std::uint64_t sent = 0;
  std::uint64_t acked = 0;
  std::uint64_t duplicates = 0;
  std::vector<double> ack_latency_ms;
  /// (device index, seq) of every report acknowledged STORED or DUPLICATE.
  std::vector<std::pair<std::uint32_t, std::uint64_t>> acked_reports;
};

class SimAgent final : public transport::WebSocketHandler {
 public:
  SimAgent(boost::asio::io_context& ioc, boost::asio::ssl::context& tls, const Identity& id,
           std::uint32_t index, const Workload& workload, Stats& stats);

  void connect();
  /// Sends one delta if connected and past its first snapshot. Returns whether it did.
  bool send_delta();
  bool ready() const { return ready_; }
  std::size_t outstanding() const { return sent_at_.size(); }
  void close();

  void on_open(const std::shared_ptr<transport::WebSocketConnection>& connection) override;
  void on_message(std::string_view frame) override;
  void on_close(std::string_view reason) override;

 private:
  void send_report(bool snapshot);

  boost::asio::io_context& ioc_;
  boost::asio::ssl::context& tls_;
  const Identity& id_;
  std::uint32_t index_;
  const Workload& workload_;
  Stats& stats_;
  std::shared_ptr<transport::WebSocketConnection> connection_;
  bool ready_ = false;
  std::uint64_t next_seq_ = 1;
  std::uint64_t last_seq_ = 0;
  std::unordered_map<std::uint64_t, std::chrono::steady_clock::time_point> sent_at_;
};

}  // namespace triage::loadgen
