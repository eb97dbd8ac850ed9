#pragma once
// A scripted WebSocket client for tests that play a misbehaving or foreign agent.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "shared/protocol/codec.hpp"
#include "shared/transport/websocket_client.hpp"

namespace triage::testing {

class WsProbe final : public transport::WebSocketHandler {
 public:
  WsProbe(boost::asio::ssl::context& tls, std::uint16_t port) : tls_(tls), port_(port) {}
  WsProbe(const WsProbe&) = delete;
  WsProbe& operator=(const WsProbe&) = delete;

  void on_open(const std::shared_ptr<transport::WebSocketConnection>&) override { opened = true; }
  void on_message(std::string_view frame) override {
    received.emplace_back(frame);
    if (on_frame) on_frame(frame);
  }
  void on_close(std::string_view reason) override {
    closed = true;
    close_reason = std::string(reason);
  }

  /// Connects and runs the event loop until open or closed (bounded).
  void connect() {
    transport::WebSocketClientOptions options;
    options.host = "127.0.0.1";
    options.port = std::to_string(port_);
    options.limits.max_message_bytes = 64 * 1024 * 1024;
    options.limits.max_send_queue_bytes = 64 * 1024 * 1024;
    connection = transport::connect_websocket(ioc_, tls_, *this, options);
    run_until([&] { return opened || closed; });
  }

  /// Sends a hello (protocol 1) and runs until the collector answers or closes; true when
  /// it answered.
  bool hello() {
    v1::AgentMessage message;
    message.mutable_hello()->set_protocol_min(1);
    message.mutable_hello()->set_protocol_max(1);
    connection->send(protocol::encode(message));
    return run_until([&] { return !received.empty() || closed; }) && !received.empty();
  }

  /// Runs the event loop until `done()` or the deadline.
  template <class Fn>
  bool run_until(Fn&& done, std::chrono::seconds limit = std::chrono::seconds(20)) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      ioc_.restart();
      ioc_.run_for(std::chrono::milliseconds(50));
    }
    return done();
  }

  ~WsProbe() override {
    // Let the session finish with the event loop still alive, then drop it.
    if (connection && !closed) connection->close(transport::CloseCode::kNormal, "test done");
    run_until([&] { return closed; }, std::chrono::seconds(5));
    connection.reset();
    ioc_.restart();
    ioc_.poll();
  }

 private:
  // Declared first so it is destroyed last: sessions hold its executor.
  boost::asio::io_context ioc_;
  boost::asio::ssl::context& tls_;
  std::uint16_t port_;

 public:
  bool opened = false;
  bool closed = false;
  std::string close_reason;
  std::vector<std::string> received;
  /// Called with each frame as it arrives (after it is added to `received`), when set.
  std::function<void(std::string_view)> on_frame;
  std::shared_ptr<transport::WebSocketConnection> connection;
};

}  // namespace triage::testing
