#pragma once
// Records of the integrations framework that cross the storage interface: targets (one
// configured external system: a webhook subscription now, a Request Tracker instance later)
// and the outbox of messages for them with their delivery state. No SQL, no HTTP.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collector/storage/ticket_records.hpp"

namespace triage::collector {

/// One configured destination of a connector.
struct IntegrationTarget {
  std::int64_t id = 0;
  std::string connector;  ///< "webhook"
  std::string name;       ///< the admin's label
  std::string url;
  std::vector<std::string> event_types;  ///< "ticket.created", ...
  /// Receives internal notes and internal-only event types; otherwise only what the
  /// requester-facing view shows.
  bool internal = false;
  bool active = true;
  std::string disabled_reason;  ///< set when the collector deactivated it (e.g. 410 Gone)
  std::string secret;           ///< signing secret or credentials; never returned after creation
  /// Connector-specific settings (Request Tracker: queue, system, requester), a JSON object.
  nlohmann::json settings = nlohmann::json::object();
  std::string created_by;
  TimePoint created_at;
  TimePoint updated_at;
};

/// Fields to change; unset fields stay as they are.
struct IntegrationTargetUpdate {
  std::optional<std::string> name;
  std::optional<std::string> url;
  std::optional<std::vector<std::string>> event_types;
  std::optional<bool> internal;
  std::optional<bool> active;
  std::optional<std::string> secret;
  std::optional<nlohmann::json> settings;
};

enum class OutboxStatus { kPending, kDelivered, kFailed };

const char* outbox_status_name(OutboxStatus status);
std::optional<OutboxStatus> parse_outbox_status(std::string_view text);

/// One message for one target. The payload is fixed when the message is enqueued, so every
/// attempt sends the same bytes.
struct OutboxMessage {
  std::int64_t id = 0;
  std::string delivery_id;  ///< unique per message; kept across attempts and redeliveries
  std::string event_id;     ///< the event's id, the same for every target (idempotency key)
  std::int64_t target_id = 0;
  std::string event_type;
  std::int64_t ticket_id = 0;  ///< 0: not about a ticket (ping)
  std::string payload;         ///< JSON
  OutboxStatus status = OutboxStatus::kPending;
  int attempts = 0;
  TimePoint created_at;
  TimePoint queued_at;  ///< creation or last redelivery: the maximum age counts from here
  TimePoint next_attempt_at;
  std::optional<TimePoint> last_attempt_at;
  int last_http_status = 0;  ///< 0: no HTTP answer (or none yet)
  std::string last_error;
  std::optional<TimePoint> delivered_at;
};

/// What one attempt came to, as the store records it.
struct OutboxAttempt {
  OutboxStatus status = OutboxStatus::kPending;  ///< pending means "retry at next_attempt_at"
  TimePoint at;
  TimePoint next_attempt_at;
  int http_status = 0;
  std::string error;
  /// Deactivates the target with this reason in the same transaction (e.g. 410 Gone).
  std::optional<std::string> disable_target;
};

struct OutboxFilter {
  std::int64_t target_id = 0;
  std::optional<OutboxStatus> status;
  int limit = 50;
  int offset = 0;
};

struct OutboxPage {
  std::vector<OutboxMessage> items;  ///< newest first
  std::int64_t total = 0;
};

struct OutboxCounts {
  std::int64_t pending = 0;
  std::int64_t delivered = 0;
  std::int64_t failed = 0;
};

}  // namespace triage::collector
