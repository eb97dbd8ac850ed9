#pragma once
// Which devices are connected right now, to this collector process. Sessions register on
// hello and leave on close; other threads reach a device's connection through here. Every
// socket that presented a device's certificate is tracked from its TLS handshake on, hello or
// not, so revoking a device closes all of them.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "shared/transport/websocket_handler.hpp"

namespace triage::collector {

class AgentRegistry {
 public:
  /// Records `connection` as the live session of `device_id`. Returns the connection it
  /// replaces, if one is still open, so the caller can close it.
  std::shared_ptr<transport::WebSocketConnection> attach(
      const std::string& device_id, std::uint64_t session_id,
      const std::shared_ptr<transport::WebSocketConnection>& connection);
  /// Forgets the session, unless a newer one of the same device replaced it already.
  void detach(const std::string& device_id, std::uint64_t session_id);

  bool is_online(const std::string& device_id) const;
  /// The live connection of a device, or null.
  std::shared_ptr<transport::WebSocketConnection> connection(const std::string& device_id) const;
  std::size_t online_count() const;
  std::vector<std::string> online_devices() const;

  /// Ends one socket of a device (a WebSocket closes with `code` and `reason`).
  using Closer = std::function<void(transport::CloseCode code, const std::string& reason)>;
  /// Tracks a socket that presented `device_id`'s certificate, until the returned handle is
  /// destroyed. The registry must outlive the handle.
  std::shared_ptr<void> track(const std::string& device_id, Closer close);
  /// Sockets of the device tracked now (online or not).
  std::size_t tracked_count(const std::string& device_id) const;

  /// Closes every socket of the device, online or still before its hello (revocation).
  void disconnect(const std::string& device_id, transport::CloseCode code, std::string reason);

 private:
  struct Entry {
    std::uint64_t session_id = 0;
    std::weak_ptr<transport::WebSocketConnection> connection;
  };
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::uint64_t next_tracking_id_ = 1;
  std::unordered_map<std::string, std::unordered_map<std::uint64_t, Closer>> tracked_;
};

}  // namespace triage::collector
