#pragma once
// One connected agent, after mTLS identified its device: hello and version negotiation,
// heartbeats, and reports committed before they are acknowledged.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "collector/server/agent_registry.hpp"
#include "collector/storage/store.hpp"
#include "shared/transport/websocket_handler.hpp"
#include "triage/v1/envelope.pb.h"

namespace triage::collector {

struct AgentSessionSettings {
  std::uint32_t heartbeat_interval_s = 60;
  std::uint32_t report_interval_s = 900;
  std::size_t max_message_bytes = 4 * 1024 * 1024;
};

class AgentSession final : public transport::WebSocketHandler {
 public:
  AgentSession(std::string device_id, Store& store, AgentRegistry& registry,
               AgentSessionSettings settings);

  void on_open(const std::shared_ptr<transport::WebSocketConnection>& connection) override;
  void on_message(std::string_view frame) override;
  void on_close(std::string_view reason) override;

 private:
  void handle_hello(const v1::Hello& hello);
  void handle_heartbeat(const v1::Heartbeat& heartbeat);
  void handle_report(const v1::AgentMessage& message);
  void refuse(v1::Refusal::Reason reason, const std::string& text, transport::CloseCode code);
  void send(const v1::CollectorMessage& message);

  std::string device_id_;
  Store& store_;
  AgentRegistry& registry_;
  AgentSessionSettings settings_;
  std::uint64_t session_id_;
  std::weak_ptr<transport::WebSocketConnection> connection_;
  std::string remote_;
  bool hello_done_ = false;
  std::chrono::steady_clock::time_point last_touch_{};
};

}  // namespace triage::collector
