#pragma once
// The tables `migrate-storage` copies from SQLite to PostgreSQL, in an order that satisfies
// their foreign keys, and the few places where the two schemas differ.

#include <array>
#include <string_view>

namespace triage::collector::migration {

/// One table of the copy.
struct MigrationTable {
  std::string_view name;
  /// Staff login sessions: copied only when asked (`--with-sessions`).
  bool sessions = false;
};

/// Every table of the SQLite schema (collector/storage/sqlite/schema.hpp); a table the SQLite
/// file holds and this list does not stops the copy, so a table added later is never left
/// behind unnoticed.
inline constexpr std::array<MigrationTable, 31> kMigrationTables = {{
    {"enrollment_tokens"}, {"devices"},
    {"device_tags"},       {"users"},
    {"recovery_codes"},    {"api_sessions", true},
    {"login_throttle"},    {"login_client_throttle"},
    {"api_tokens"},        {"reports"},
    {"device_state"},      {"metric_points"},
    {"audit_log"},         {"audit_checkpoints"},
    {"tickets"},           {"ticket_devices"},
    {"ticket_events"},     {"ticket_origin_keys"},
    {"attachments"},       {"enrichments"},
    {"device_findings"},   {"problems"},
    {"ticket_problems"},   {"orders"},
    {"order_output"},      {"integration_targets"},
    {"outbox_messages"},   {"custom_actions"},
    {"catalog_proposals"}, {"live_sessions"},
    {"live_samples"},
}};

/// The reports table: SQLite's rowid `id` has no place in PostgreSQL (reports are keyed by
/// device and seq there), and PostgreSQL's partition key `kept` is derived from the kind:
/// deltas go to the day partitions of the history, every other kind is kept (as the
/// PostgreSQL report repository stores them).
inline constexpr std::string_view kReportsTable = "reports";
inline constexpr std::string_view kReportsSqliteOnlyColumn = "id";
inline constexpr std::string_view kReportsKeptColumn = "kept";
inline constexpr std::string_view kHistoryKind = "delta";

}  // namespace triage::collector::migration
