#pragma once
// Remediation orders as they cross the storage interface: what was asked, by whom, the signed
// bytes sent to the agent, and what came back. No SQL, no HTTP, no Protobuf types.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "collector/storage/records.hpp"

namespace triage::collector {

/// awaiting_approval → queued → sent → running → succeeded | failed; refused by the agent;
/// expired before it ran; cancelled (or rejected) by staff. The last five are final.
enum class OrderState {
  kAwaitingApproval,
  kQueued,
  kSent,
  kRunning,
  kSucceeded,
  kFailed,
  kRefused,
  kExpired,
  kCancelled,
};

const char* order_state_name(OrderState state);
std::optional<OrderState> parse_order_state(std::string_view text);
bool order_state_final(OrderState state);

struct Order {
  std::string id;  ///< UUID
  std::int64_t ticket_id = 0;
  std::string device_id;
  std::string action_id;
  std::uint32_t action_version = 0;
  std::string definition_sha256;  ///< hex
  nlohmann::json params = nlohmann::json::object();
  std::vector<std::string> argv;
  std::string risk;  ///< low, medium, high
  std::uint32_t timeout_s = 0;
  std::uint64_t output_cap_bytes = 0;
  std::string requested_by;
  std::string approved_by;  ///< or the user who rejected it (see `reason`)
  /// The credential each one acted with: "session:<id>" (a login session: the first 16 hex
  /// of its token's SHA-256) or "api_token:<id>"; "" when not recorded (older orders).
  std::string requested_credential;
  std::string approved_credential;
  OrderState state = OrderState::kQueued;
  std::string reason;  ///< why it was refused, rejected, cancelled, expired, failed
  TimePoint created_at;
  TimePoint updated_at;
  std::optional<TimePoint> expires_at;  ///< of the signed order (set when signed)
  std::optional<TimePoint> sent_at;
  std::optional<TimePoint> finished_at;
  /// When the first output chunk reached the collector (set by the store, once).
  std::optional<TimePoint> first_output_at;
  /// Who asked to cancel the order once it was sent ("" = nobody), and why. Once recorded it
  /// stays: the store never clears it. The order becomes `cancelled` only when the agent
  /// reports that it stopped or dropped it; one that finished first stays finished.
  std::string cancel_requested_by;
  std::string cancel_reason;
  /// The serialized SignedOrder sent to the agent (empty until signed).
  std::string signed_order;
  /// Outcome: exit_code, term_signal, timed_out, duration_ms, output_truncated, post_check,
  /// and the two separate facts `ran` (how the action ended) and `fixed` (its post-check).
  nlohmann::json result = nlohmann::json::object();
};

/// A piece of an order's output as the agent streamed it.
struct OrderOutputChunk {
  std::uint32_t index = 0;
  std::string stream;  ///< "stdout" or "stderr"
  std::string data;
  /// When the chunk reached the collector; the first one stored sets the order's
  /// `first_output_at`.
  TimePoint received_at{};
};

/// Which orders list_orders() returns; empty criteria match everything.
struct OrderQuery {
  std::string device_id;
  std::optional<std::int64_t> ticket_id;
  std::vector<OrderState> states;
  int limit = 100;
  int offset = 0;
  bool newest_first = false;
};

}  // namespace triage::collector
