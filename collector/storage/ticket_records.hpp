#pragma once
// Records of the helpdesk side that cross the storage interface: tickets, their timeline,
// attachments, diagnostics enrichments and the fleet's current findings. No SQL, no HTTP.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace triage::collector {

using TimePoint = std::chrono::system_clock::time_point;

enum class TicketStatus { kNew, kOpen, kPending, kResolved, kClosed };

const char* status_name(TicketStatus status);
std::optional<TicketStatus> parse_status(std::string_view text);

/// Who may see a timeline entry or attachment. Internal never reaches the requester or a
/// payload marked public.
enum class Visibility { kPublic, kInternal };

const char* visibility_name(Visibility visibility);

/// The `external_system` of a ticket opened by an endpoint's help request: the key is where
/// it came from, not a helpdesk it is mirrored in, so it may still be linked to one.
inline constexpr std::string_view kEndpointOrigin = "endpoint";

struct Ticket {
  std::int64_t id = 0;
  std::string title;
  std::string description;
  std::string requester;
  TicketStatus status = TicketStatus::kNew;
  int priority = 3;  ///< 1 (P1, most urgent) .. 4
  int tier = 1;      ///< 1..3 (L1..L3)
  std::string queue = "default";
  std::string assignee;  ///< user name; empty: unassigned
  std::string source;    ///< "staff", "endpoint", "integration"
  std::string external_system;
  std::string external_id;
  std::string created_by;
  TimePoint created_at;
  TimePoint updated_at;
  TimePoint response_due_at;  ///< SLA: first response
  TimePoint due_at;           ///< SLA: resolution
  std::optional<TimePoint> first_response_at;
  std::optional<TimePoint> resolved_at;
  std::optional<TimePoint> closed_at;
  std::vector<std::string> device_ids;
  /// Filled by list_tickets() only: the worst severity (critical, warning, info; "" for none)
  /// and the number of the linked devices' current findings.
  std::string worst_severity;
  std::int64_t findings_count = 0;
  /// Bumped by every field change; guards read-modify-write updates. Timeline additions
  /// (notes, diagnostics) do not bump it, so they never make a concurrent edit fail.
  std::int64_t version = 0;
};

/// One entry of a ticket's timeline. `data` holds the kind's fields (note text, minutes,
/// from/to of a change...).
struct TicketEvent {
  std::int64_t id = 0;
  std::int64_t ticket_id = 0;
  TimePoint at;
  std::string actor;  ///< user name, or "device:<id>" / "system"
  std::string kind;   ///< created, note, attachment, time_entry, escalation, status_change, ...
  Visibility visibility = Visibility::kInternal;
  nlohmann::json data = nlohmann::json::object();
};

/// Immutable once stored: content is addressed by its SHA-256.
struct Attachment {
  std::int64_t id = 0;
  std::int64_t ticket_id = 0;
  std::string name;
  std::string content_type;
  std::string kind;  ///< "diagnostics", "file", "action_output" (an action's stdout file)
  Visibility visibility = Visibility::kInternal;
  std::string sha256;
  std::int64_t size = 0;
  TimePoint created_at;
  std::string created_by;
  std::string content;  ///< filled only when read by id
};

/// Diagnostics attached to a ticket for one device: the snapshot used, where it came from,
/// the findings computed on it, what changed, and (for verification) the comparison.
struct Enrichment {
  std::int64_t id = 0;
  std::int64_t ticket_id = 0;
  std::string device_id;
  std::string purpose;  ///< "creation", "link", "verification"
  std::string source;   ///< "fresh", "stored", "none"
  std::string note;     ///< e.g. why a stored snapshot was used
  std::optional<TimePoint> snapshot_at;
  std::uint64_t report_seq = 0;
  std::int64_t attachment_id = 0;
  nlohmann::json findings = nlohmann::json::array();
  nlohmann::json changes = nlohmann::json::object();
  nlohmann::json comparison = nlohmann::json::object();
  TimePoint created_at;
};

struct TicketFilter {
  std::vector<TicketStatus> statuses;
  std::vector<int> priorities;
  std::optional<int> tier;
  std::string queue;
  std::string assignee;
  std::string device_id;
  std::string requester;
  std::string text;                        ///< substring of title
  std::optional<std::int64_t> problem_id;  ///< linked to this problem
  /// "priority" (then due), "due", "created", "updated"; '-' prefix for descending.
  std::string sort = "priority";
  int limit = 50;
  int offset = 0;
};

struct TicketPage {
  std::vector<Ticket> items;
  std::int64_t total = 0;
};

/// A finding currently present on a device (from its latest evaluated snapshot).
struct DeviceFinding {
  std::string device_id;
  std::string rule_id;
  std::string subject;
  std::string severity;
  std::string title;
  std::string evidence;
  TimePoint first_seen;
  TimePoint last_seen;
};

/// The same finding across the fleet: "dns.failing on 37 devices since 09:05".
struct FleetFinding {
  std::string rule_id;
  std::string severity;
  std::string title;  ///< of one example
  std::int64_t devices = 0;
  TimePoint first_seen;
  TimePoint last_seen;
  std::vector<std::string> example_devices;
};

/// One incident behind many tickets ("DNS failing on 37 devices"): opened by a coordinator
/// from a fleet finding; the tickets it explains are linked to it. At most one open problem
/// per rule.
struct Problem {
  std::int64_t id = 0;
  std::string rule_id;
  std::string title;
  bool open = true;
  std::string created_by;
  TimePoint created_at;
  std::optional<TimePoint> resolved_at;
  std::string resolved_by;
  std::string resolution;         ///< what fixed it, written when resolving
  std::int64_t tickets = 0;       ///< linked tickets (filled by reads)
  std::int64_t open_tickets = 0;  ///< of which not resolved or closed
};

}  // namespace triage::collector
