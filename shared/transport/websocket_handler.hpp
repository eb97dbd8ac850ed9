#pragma once
// The seam between the WebSocket transport and the application: the transport moves binary
// frames and knows nothing of what they contain.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "shared/transport/peer_identity.hpp"

namespace triage::transport {

/// Close codes used by triage on top of RFC 6455's.
enum class CloseCode : std::uint16_t {
  kNormal = 1000,
  kGoingAway = 1001,
  kProtocolError = 1002,
  kPolicyViolation = 1008,
  kTooBig = 1009,
  kInternalError = 1011,
  kTryAgainLater = 1013,
  kUnsupportedVersion = 4001,  ///< no common protocol version
  kRevoked = 4003,             ///< device certificate revoked
  kUnknownDevice = 4004,       ///< certificate valid but device not enrolled here
  kReplaced = 4009,            ///< a newer connection of the same device took over
};

/// A live WebSocket connection as the application sees it. Safe to call from any thread;
/// calls after the connection ended are ignored.
class WebSocketConnection {
 public:
  virtual ~WebSocketConnection() = default;
  /// Queues a binary frame. Returns false (and drops it) when the connection is closed or
  /// its send queue is over its byte limit: the peer is not keeping up.
  virtual bool send(std::string frame) = 0;
  /// Starts a clean close with a code and a short reason (≤ 123 bytes).
  virtual void close(CloseCode code, std::string reason) = 0;
  virtual const PeerIdentity& peer() const = 0;
  /// Stops reading frames after the current one (TCP back-pressure reaches the peer) until
  /// resume_reading(). Pause and resume nest: reading resumes when every pause is resumed.
  virtual void pause_reading() = 0;
  virtual void resume_reading() = 0;
  /// pause_reading() now and resume_reading() after `delay` (rate limiting).
  virtual void pause_reading_for(std::chrono::milliseconds delay) = 0;
  /// The application accepted the peer (an agent's hello): the connection's deadline to
  /// authenticate ends, and it no longer counts against its address's unauthenticated
  /// connections (ServerOptions). Without either (client role), nothing happens.
  virtual void authenticated() {}
};

/// Application side of one connection. All calls for one connection are serialized (they run
/// on the connection's strand); they must not block for long.
class WebSocketHandler {
 public:
  virtual ~WebSocketHandler() = default;
  /// The connection is open. Keep only a weak_ptr to it beyond this call.
  virtual void on_open(const std::shared_ptr<WebSocketConnection>& connection) = 0;
  /// One complete binary frame.
  virtual void on_message(std::string_view frame) = 0;
  /// The connection ended; `reason` says why (peer close, timeout, error). Called once.
  virtual void on_close(std::string_view reason) = 0;
};

}  // namespace triage::transport
