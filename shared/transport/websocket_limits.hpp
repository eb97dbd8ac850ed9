#pragma once
// The bounds one WebSocket session works within, whichever its role and stream.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string_view>

#include "shared/transport/admission_gate.hpp"

namespace triage::transport {

struct WebSocketLimits {
  std::chrono::milliseconds handshake_timeout{10'000};
  std::chrono::milliseconds idle_timeout{120'000};
  std::size_t max_message_bytes = 4 * 1024 * 1024;
  /// Bytes queued for sending at which the session stops reading the peer's messages, until
  /// the queue is below it again: what the application sends in answer to the peer cannot
  /// outgrow what the peer takes (back-pressure, as `queue_limit` in Beast's
  /// advanced_server_flex). Nothing is dropped for it.
  std::size_t send_queue_pause_bytes = 8 * 1024 * 1024;
  /// Hard bound of the send queue: a frame that would pass it is refused by send() (the peer
  /// takes nothing while the application keeps sending on its own account).
  std::size_t max_send_queue_bytes = 16 * 1024 * 1024;
  /// Shared by the sessions of a server (null: no bound). A message that grows past
  /// `small_message_bytes` is read further only with a place at this gate, held until the
  /// message is complete; smaller messages (heartbeats, deltas) never wait. Bounds the memory
  /// of read buffers when thousands of agents send large messages at once.
  std::shared_ptr<AdmissionGate> large_messages;
  std::size_t small_message_bytes = 16 * 1024;
  /// A place is held at most this long for one message; then the connection is dropped.
  std::chrono::milliseconds large_message_timeout{60'000};
  /// Server role: the session must be authenticated() by this time, else it is closed with
  /// 1008 (and "authentication_timeout" told to `on_refused`). Default: no deadline.
  std::chrono::steady_clock::time_point authentication_deadline{};
  std::chrono::milliseconds authentication_timeout{0};  ///< for the close reason
  /// Told why a connection was dropped by these limits ("slow_message",
  /// "authentication_timeout"); for metrics.
  std::function<void(std::string_view reason)> on_refused;
};

}  // namespace triage::transport
