#pragma once
// The agent channel of one collector process: which devices are connected right now, to this
// process, and their connections. Sessions register on hello and leave on close; other threads
// reach a device's connection through here. Every socket that presented a device's certificate
// is tracked from its TLS handshake on, hello or not, so revoking a device closes all of them.

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "collector/channel/agent_channel.hpp"
#include "collector/channel/agent_presence.hpp"

namespace triage::collector {

class LocalAgentChannel final : public AgentChannel, public AgentPresence {
 public:
  /// Names this node by its host name in AgentLocation.
  LocalAgentChannel();
  /// `node`: this process's name in AgentLocation ("" = the host name).
  explicit LocalAgentChannel(std::string node);

  // AgentChannel
  Delivery send(const std::string& device_id, const v1::CollectorMessage& message) override;
  std::size_t broadcast(const v1::CollectorMessage& message) override;
  bool is_online(const std::string& device_id) const override;
  std::optional<AgentLocation> locate(const std::string& device_id) const override;
  void disconnect(const std::string& device_id, transport::CloseCode code,
                  std::string reason) override;

  // AgentPresence
  std::shared_ptr<transport::WebSocketConnection> attach(
      const std::string& device_id, std::uint64_t session_id,
      const std::shared_ptr<transport::WebSocketConnection>& connection) override;
  void detach(const std::string& device_id, std::uint64_t session_id) override;
  std::shared_ptr<void> track(const std::string& device_id, Closer close) override;

  /// This node's name (the host name unless one was given).
  const std::string& node() const { return node_; }
  /// Closes the device's online session if it is still `session_id` (a newer one elsewhere
  /// replaced it). Returns whether it did.
  bool close_session(const std::string& device_id, std::uint64_t session_id,
                     transport::CloseCode code, const std::string& reason);

  /// Sockets of the device tracked now (online or not).
  std::size_t tracked_count(const std::string& device_id) const;

 private:
  struct Entry {
    std::uint64_t session_id = 0;
    std::weak_ptr<transport::WebSocketConnection> connection;
    std::string remote_address;
    std::chrono::system_clock::time_point since;
  };
  /// The live connection of a device, or null.
  std::shared_ptr<transport::WebSocketConnection> connection(const std::string& device_id) const;

  const std::string node_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::uint64_t next_tracking_id_ = 1;
  std::unordered_map<std::string, std::unordered_map<std::uint64_t, Closer>> tracked_;
};

}  // namespace triage::collector
