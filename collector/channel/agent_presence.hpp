#pragma once
// What this node's agent sockets tell the channel: a device's socket exists (from its TLS
// handshake on, so revocation reaches it before any hello), and a device's session is online
// here or has ended. The sending side of the same channel is AgentChannel; with several
// collector nodes, this is where a node publishes which devices it holds.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "shared/transport/websocket_handler.hpp"

namespace triage::collector {

class AgentPresence {
 public:
  virtual ~AgentPresence() = default;

  /// Records `connection` as the live session of `device_id` on this node. Returns the
  /// connection it replaces, if one is still open here, so the caller can close it.
  virtual std::shared_ptr<transport::WebSocketConnection> attach(
      const std::string& device_id, std::uint64_t session_id,
      const std::shared_ptr<transport::WebSocketConnection>& connection) = 0;
  /// Forgets the session, unless a newer one of the same device replaced it already.
  virtual void detach(const std::string& device_id, std::uint64_t session_id) = 0;

  /// Ends one socket of a device (a WebSocket closes with `code` and `reason`).
  using Closer = std::function<void(transport::CloseCode code, const std::string& reason)>;
  /// Tracks a socket that presented `device_id`'s certificate, until the returned handle is
  /// destroyed; AgentChannel::disconnect() calls `close`. The presence must outlive the handle.
  virtual std::shared_ptr<void> track(const std::string& device_id, Closer close) = 0;

  /// A snapshot the device sent through this node's session, answering the snapshot request
  /// `request_id`, was committed as report `seq` (called on the ingest writer thread; returns
  /// at once). With several nodes, the node that asked may be another one, which must hear of
  /// it; a single node's own waiters hear of it from the session itself.
  virtual void snapshot_committed(const std::string& /*device_id*/, std::uint64_t /*seq*/,
                                  const std::string& /*request_id*/) {}
};

}  // namespace triage::collector
