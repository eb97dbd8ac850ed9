#pragma once
// The connected agent: one WebSocket to the collector, re-established with jittered backoff;
// hello, heartbeats, full snapshots when the collector lacks one or asks for one.
// Runs on a single io_context thread; snapshots are taken on a worker thread so the
// connection keeps answering pings meanwhile.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "agent/collectors/snapshot_taker.hpp"
#include "agent/service/agent_state.hpp"
#include "shared/transport/backoff.hpp"
#include "shared/transport/tls_context.hpp"
#include "shared/transport/url.hpp"
#include "shared/transport/websocket_handler.hpp"
#include "triage/v1/envelope.pb.h"

namespace triage::agent {

struct AgentRunOptions {
  std::chrono::milliseconds backoff_base{1000};
  std::chrono::milliseconds backoff_cap{300'000};
  std::chrono::milliseconds handshake_timeout{30'000};
  std::size_t max_message_bytes = 4 * 1024 * 1024;
  SnapshotOptions snapshot;
};

class AgentRuntime final : public transport::WebSocketHandler {
 public:
  AgentRuntime(boost::asio::io_context& ioc, StateDir state, AgentIdentity identity,
               transport::SslContextPtr tls, AgentRunOptions options);
  ~AgentRuntime() override;

  /// Starts connecting; returns at once.
  void start();
  /// Closes the connection and stops reconnecting; `stopped` runs once it is closed.
  void stop(std::function<void()> stopped);

  void on_open(const std::shared_ptr<transport::WebSocketConnection>& connection) override;
  void on_message(std::string_view frame) override;
  void on_close(std::string_view reason) override;

 private:
  void connect();
  void schedule_reconnect(std::chrono::milliseconds delay);
  void handle_hello_ack(const v1::HelloAck& ack);
  void schedule_heartbeat();
  void send_snapshot(std::string request_id);
  void deliver_snapshot(v1::Snapshot snapshot, std::string request_id);
  bool send(const v1::AgentMessage& message);
  std::uint64_t take_seq();

  boost::asio::io_context& ioc_;
  StateDir state_;
  AgentIdentity identity_;
  transport::SslContextPtr tls_;
  AgentRunOptions options_;
  transport::Url url_;
  transport::Backoff backoff_;
  boost::asio::steady_timer reconnect_timer_;
  boost::asio::steady_timer heartbeat_timer_;
  std::shared_ptr<transport::WebSocketConnection> connection_;
  bool ready_ = false;  // hello acknowledged on the current connection
  bool stopping_ = false;
  std::function<void()> stopped_;
  bool snapshot_running_ = false;
  std::uint32_t heartbeat_interval_s_ = 60;
  std::uint64_t next_seq_ = 1;
  std::optional<std::chrono::seconds> retry_after_;
  SnapshotTaker taker_;
  std::thread snapshot_thread_;
};

}  // namespace triage::agent
