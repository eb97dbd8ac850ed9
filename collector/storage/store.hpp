#pragma once
// The collector's storage interface. Implementations sit in sibling folders (sqlite/ now,
// postgres/ for scale-out); nothing SQL- or engine-specific crosses this line.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collector/storage/audit_records.hpp"
#include "collector/storage/catalog_proposal_records.hpp"
#include "collector/storage/custom_action_records.hpp"
#include "collector/storage/device_state_records.hpp"
#include "collector/storage/integration_records.hpp"
#include "collector/storage/order_records.hpp"
#include "collector/storage/records.hpp"
#include "collector/storage/ticket_records.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

class Store {
 public:
  virtual ~Store() = default;

  // Enrollment tokens and devices.
  virtual Result<void> insert_enrollment_token(const EnrollmentToken& token) = 0;
  /// Every enrollment token (hashes, never secrets), newest first.
  virtual Result<std::vector<EnrollmentToken>> list_enrollment_tokens() = 0;
  /// Marks the token revoked (the first time is kept); kNotFound if unknown.
  virtual Result<void> revoke_enrollment_token(std::string_view id, TimePoint when) = 0;
  /// kDenied with a clear reason unless the token exists, has not expired and has uses left.
  /// A read only: enroll_device checks again, atomically, when it counts the use.
  virtual Result<void> check_enrollment_token(std::string_view token_hash, TimePoint now) = 0;
  /// In one transaction: checks the token (exists, not expired, uses left), counts one use
  /// and inserts the device. kDenied with a clear reason when the token is not usable.
  /// Returns the id of the token used.
  virtual Result<std::string> enroll_device(std::string_view token_hash, const Device& device,
                                            TimePoint now) = 0;
  virtual Result<std::optional<Device>> find_device(std::string_view id) = 0;
  virtual Result<std::vector<Device>> list_devices() = 0;
  /// Marks a device revoked; kNotFound if unknown. Revoking twice keeps the first time.
  virtual Result<void> revoke_device(std::string_view id, TimePoint when) = 0;
  virtual Result<void> record_hello(std::string_view device_id, const DeviceHelloFacts& facts,
                                    TimePoint when) = 0;
  virtual Result<void> touch_device(std::string_view device_id, TimePoint when) = 0;
  /// Sets the owner and/or tags of a device; kNotFound if unknown. Returns it as stored after.
  virtual Result<Device> update_device(std::string_view id, const DeviceUpdate& update) = 0;

  // Users and bearer sessions.
  /// kConflict when the name is taken. Returns the new id.
  virtual Result<std::int64_t> insert_user(const User& user) = 0;
  virtual Result<std::optional<User>> find_user_by_name(std::string_view name) = 0;
  virtual Result<std::optional<User>> find_user(std::int64_t id) = 0;
  virtual Result<void> insert_session(const ApiSession& session) = 0;
  /// The session for this token hash if it exists and has not expired at `now`.
  virtual Result<std::optional<ApiSession>> find_session(std::string_view token_hash,
                                                         TimePoint now) = 0;

  // --- Authentication hardening: login throttling, sessions, API tokens, user admin. ---
  /// In one write transaction: reads the throttle state of `name` (a default state when there
  /// is none), stores `update(state)` and returns it. A result equal to the default state
  /// deletes the row. Rows idle for a week are pruned on the way.
  virtual Result<LoginThrottleState> update_login_throttle(
      std::string_view name, TimePoint now,
      const std::function<LoginThrottleState(LoginThrottleState)>& update) = 0;
  virtual Result<std::optional<LoginThrottleState>> find_login_throttle(std::string_view name) = 0;
  /// Ends one login session (logout). Deleting an unknown session is not an error.
  virtual Result<void> delete_session(std::string_view token_hash) = 0;
  virtual Result<void> insert_api_token(const ApiToken& token) = 0;
  /// The token with this hash, whatever its state (revoked, expired): callers decide.
  virtual Result<std::optional<ApiToken>> find_api_token(std::string_view token_hash) = 0;
  /// Every API token, newest first; secrets are never stored, so never returned.
  virtual Result<std::vector<ApiToken>> list_api_tokens() = 0;
  /// Marks a token revoked; kNotFound if unknown. Revoking twice keeps the first time.
  virtual Result<void> revoke_api_token(std::string_view id, TimePoint when) = 0;
  virtual Result<void> touch_api_token(std::string_view id, TimePoint when) = 0;
  virtual Result<std::vector<User>> list_users() = 0;
  /// Applies `update`; kNotFound if unknown. Disabling also deletes the user's sessions and
  /// revokes their API tokens in the same transaction. Returns the user as stored after.
  virtual Result<User> update_user(std::int64_t id, const UserUpdate& update, TimePoint now) = 0;
  /// In one transaction: stores a person's new password hash, clears must_change_password
  /// and deletes every session of theirs but `keep_session_hash` ("" keeps none). kNotFound
  /// for an unknown user or a service account.
  virtual Result<void> set_password(std::int64_t user_id, std::string_view password_hash,
                                    std::string_view keep_session_hash) = 0;
  // --- end of authentication hardening. ---

  // Reports (at-least-once delivery, de-duplicated by device + seq).
  /// Commits the report unless (device, seq) is stored already. Returns true when stored
  /// now, false for a duplicate. Returning means durable: acknowledge only after it.
  virtual Result<bool> store_report(const StoredReport& report) = 0;
  /// The same for many reports in one transaction (all or none): element i is true when
  /// report i was stored now, false when it was a duplicate.
  virtual Result<std::vector<bool>> store_reports(const std::vector<StoredReport>& reports) = 0;
  /// Highest seq committed for a device (0: none).
  virtual Result<std::uint64_t> last_report_seq(std::string_view device_id) = 0;
  /// Whether any full snapshot of the device is stored (cheap; no payload read).
  virtual Result<bool> has_snapshot(std::string_view device_id) = 0;
  /// The newest full snapshot report of a device, if any.
  virtual Result<std::optional<StoredReport>> latest_snapshot(std::string_view device_id) = 0;
  /// The newest full snapshot received at or before `t` (the "what changed" baseline).
  virtual Result<std::optional<StoredReport>> snapshot_at_or_before(std::string_view device_id,
                                                                    TimePoint t) = 0;
  /// One report by device and seq.
  virtual Result<std::optional<StoredReport>> find_report(std::string_view device_id,
                                                          std::uint64_t seq) = 0;

  // Current state and metric history (kept by the ingest writer).
  /// Like store_reports, and in the same transaction upserts `batch.states` and inserts
  /// `batch.points`: a report and what it changed become durable together.
  virtual Result<std::vector<bool>> store_ingest(const IngestBatch& batch) = 0;
  /// The device's materialized state, if any; `with_snapshot` false leaves `snapshot` empty
  /// (cheap: the ingest writer's gap check).
  virtual Result<std::optional<DeviceState>> device_state(std::string_view device_id,
                                                          bool with_snapshot) = 0;
  /// Points of one metric with since <= t <= until, oldest first, at most `limit`.
  virtual Result<std::vector<MetricPoint>> metric_points(std::string_view device_id,
                                                         std::string_view metric, TimePoint since,
                                                         TimePoint until, std::size_t limit) = 0;
  /// Deletes deltas received before `cutoffs.deltas_before` and metric points older than
  /// `cutoffs.points_before`, in chunks. Never deletes a full snapshot, a delta after the
  /// device's newest full snapshot (needed to rebuild its newest state), or a report a ticket
  /// enrichment refers to.
  virtual Result<RetentionResult> apply_retention(const RetentionCutoffs& cutoffs) = 0;

  // Tickets. Every change and its timeline events commit in one transaction.
  /// Inserts the ticket, its device links and `events` (their ticket_id is filled in); sets
  /// `ticket.id`. kConflict when (external_system, external_id) exists already.
  virtual Result<void> create_ticket(Ticket& ticket, std::vector<TicketEvent> events) = 0;
  virtual Result<std::optional<Ticket>> find_ticket(std::int64_t id) = 0;
  virtual Result<std::optional<Ticket>> find_ticket_by_external(std::string_view system,
                                                                std::string_view external_id) = 0;
  virtual Result<TicketPage> list_tickets(const TicketFilter& filter) = 0;
  /// Links the ticket to ticket `external_id` of `system` (Request Tracker...) with `event`
  /// on its timeline; the ticket as it is after. Linking again to the same is a no-op
  /// (nullopt event written). kNotFound; kConflict when the ticket is linked to another
  /// external ticket or that external ticket to another ticket.
  virtual Result<Ticket> link_ticket_external(std::int64_t ticket_id, std::string_view system,
                                              std::string_view external_id,
                                              const TicketEvent& event) = 0;
  /// Tickets linked to `system` that are neither resolved nor closed, oldest first.
  virtual Result<std::vector<Ticket>> linked_open_tickets(std::string_view system, int limit) = 0;
  /// Writes the ticket's fields (not its devices) if its version is still
  /// `expected_version` (else kConflict), with the events describing the change.
  virtual Result<void> update_ticket(const Ticket& ticket, std::int64_t expected_version,
                                     const std::vector<TicketEvent>& events) = 0;
  virtual Result<void> append_ticket_events(const std::vector<TicketEvent>& events) = 0;
  /// Links a device; false when it was linked already (then no event is written).
  virtual Result<bool> link_ticket_device(std::int64_t ticket_id, std::string_view device_id,
                                          const TicketEvent& event) = 0;
  virtual Result<std::vector<TicketEvent>> ticket_events(std::int64_t ticket_id) = 0;
  /// Metadata only (no content), oldest first.
  virtual Result<std::vector<Attachment>> ticket_attachments(std::int64_t ticket_id) = 0;
  /// With content.
  virtual Result<std::optional<Attachment>> find_attachment(std::int64_t id) = 0;
  /// Stores the attachment (if any), the enrichment and its timeline event together; sets
  /// `enrichment.id` and `enrichment.attachment_id`.
  virtual Result<void> insert_enrichment(Enrichment& enrichment,
                                         std::optional<Attachment> attachment,
                                         TicketEvent event) = 0;
  virtual Result<std::vector<Enrichment>> ticket_enrichments(std::int64_t ticket_id) = 0;

  // The fleet's current findings (from each device's newest evaluated snapshot).
  /// Replaces the device's set: findings still present keep their first_seen.
  virtual Result<void> replace_device_findings(std::string_view device_id,
                                               const std::vector<DeviceFinding>& current,
                                               TimePoint now) = 0;
  virtual Result<std::vector<DeviceFinding>> device_findings(std::string_view device_id) = 0;
  /// Grouped by rule, most devices first; `since`: only findings first seen at or after it.
  virtual Result<std::vector<FleetFinding>> fleet_findings(std::optional<TimePoint> since) = 0;

  // Problems: one incident behind many tickets.
  /// Sets `problem.id`; kConflict when the rule has an open problem already.
  virtual Result<void> create_problem(Problem& problem) = 0;
  virtual Result<std::optional<Problem>> find_problem(std::int64_t id) = 0;
  virtual Result<std::optional<Problem>> open_problem_for_rule(std::string_view rule_id) = 0;
  /// Newest first; `open`: only open (true) or only resolved (false) problems.
  virtual Result<std::vector<Problem>> list_problems(std::optional<bool> open) = 0;
  /// Stores title, open/resolved fields; `events` (one per linked ticket) in the same
  /// transaction.
  virtual Result<void> update_problem(const Problem& problem,
                                      const std::vector<TicketEvent>& events) = 0;
  /// False when already linked (then `event` is not written).
  virtual Result<bool> link_ticket_problem(std::int64_t ticket_id, std::int64_t problem_id,
                                           const TicketEvent& event) = 0;
  /// False when not linked.
  virtual Result<bool> unlink_ticket_problem(std::int64_t ticket_id, std::int64_t problem_id,
                                             const TicketEvent& event) = 0;
  virtual Result<std::vector<Problem>> ticket_problems(std::int64_t ticket_id) = 0;
  /// Tickets not resolved or closed whose linked devices currently show `rule_id`.
  virtual Result<std::vector<std::int64_t>> open_tickets_with_finding(std::string_view rule_id) = 0;

  // The audit log: append-only and hash-chained (collector/audit/ builds on these).
  /// Appends `event` as the next link: seq, prev_hash and hash are computed inside one write
  /// transaction, so concurrent writers (other processes included) never fork the chain.
  virtual Result<AuditRecord> append_audit(const AuditEvent& event) = 0;
  /// Runs `change`, which may call this store's write methods, and appends the event it
  /// returns in the same transaction: the change and its audit record commit together or not
  /// at all. `change` runs under the store's write lock: keep it short (no password hashing).
  virtual Result<AuditRecord> audited(const std::function<Result<AuditEvent>()>& change) = 0;
  /// Matching records, newest first.
  virtual Result<AuditPage> list_audit(const AuditFilter& filter) = 0;
  /// Calls `visit` for each record with seq >= `from_seq`, in seq order, until it returns false.
  virtual Result<void> scan_audit(std::uint64_t from_seq,
                                  const std::function<bool(const AuditRecord&)>& visit) = 0;
  /// The newest record (the chain head), if any.
  virtual Result<std::optional<AuditRecord>> audit_head() = 0;
  /// Stores a checkpoint; false when one exists for that seq already.
  virtual Result<bool> insert_audit_checkpoint(const AuditCheckpoint& checkpoint) = 0;
  /// Every checkpoint in seq order.
  virtual Result<std::vector<AuditCheckpoint>> audit_checkpoints() = 0;

  // Remediation orders. State changes are conditional on the current state, so concurrent
  // writers (REST workers, agent sessions, the expiry sweep) can never move an order twice.
  /// Inserts the order with its timeline events in one transaction.
  virtual Result<void> insert_order(const Order& order, const std::vector<TicketEvent>& events) = 0;
  virtual Result<std::optional<Order>> find_order(std::string_view id) = 0;
  /// Writes every mutable field of `order` (state, approver, reason, times, signed bytes,
  /// result) and appends `events`, in one transaction, if the stored order is still in one of
  /// `from`. False, with nothing written, when it is not.
  virtual Result<bool> update_order(const Order& order, const std::vector<OrderState>& from,
                                    const std::vector<TicketEvent>& events) = 0;
  /// update_order() that also stores `attachment` (an action's file output) on the order's
  /// ticket, in the same transaction. Sets `attachment.id`, and writes it into the order's
  /// `result["attachment"]["id"]` and each event's `data["attachment_id"]`.
  virtual Result<bool> update_order_with_attachment(Order& order,
                                                    const std::vector<OrderState>& from,
                                                    Attachment& attachment,
                                                    std::vector<TicketEvent> events) = 0;
  /// Orders matching every given criterion, oldest first (newest first when
  /// `query.newest_first`), skipping `offset`, at most `limit`.
  virtual Result<std::vector<Order>> list_orders(const OrderQuery& query) = 0;
  /// Appends a chunk unless the order's stored output already holds `cap` bytes (false then);
  /// a chunk received twice is stored once.
  virtual Result<bool> append_order_output(std::string_view order_id, const OrderOutputChunk& chunk,
                                           std::uint64_t cap) = 0;
  /// In arrival order.
  virtual Result<std::vector<OrderOutputChunk>> order_output(std::string_view order_id) = 0;

  // Custom actions managed over the API (built-ins and definition files are not stored).
  /// kConflict when an action with that id is stored already.
  virtual Result<void> insert_custom_action(const CustomAction& action) = 0;
  /// Replaces the stored action `action.id` (version, definition, hash, updated_*) if its hash
  /// is still `expected_sha256`; false, with nothing written, when it changed meanwhile.
  /// kNotFound if unknown.
  virtual Result<bool> replace_custom_action(const CustomAction& action,
                                             std::string_view expected_sha256) = 0;
  /// kNotFound if unknown.
  virtual Result<void> delete_custom_action(std::string_view id) = 0;
  virtual Result<std::optional<CustomAction>> find_custom_action(std::string_view id) = 0;
  /// Sorted by id.
  virtual Result<std::vector<CustomAction>> list_custom_actions() = 0;

  // Proposed catalog changes, waiting for a second person (catalog_proposal_records.hpp).
  /// Returns the new id. kConflict when a pending proposal for that action id exists.
  virtual Result<std::int64_t> insert_catalog_proposal(const CatalogProposal& proposal) = 0;
  virtual Result<std::optional<CatalogProposal>> find_catalog_proposal(std::int64_t id) = 0;
  /// Newest first, at most `limit`; only those with `status` when given.
  virtual Result<std::vector<CatalogProposal>> list_catalog_proposals(
      std::optional<ProposalStatus> status, int limit) = 0;
  /// Stores `proposal.status`, `decided` and `reason` if the stored one is still pending;
  /// false, with nothing written, when it was decided meanwhile. kNotFound if unknown.
  virtual Result<bool> decide_catalog_proposal(const CatalogProposal& proposal) = 0;

  // Integrations: targets (webhook subscriptions, ...) and the outbox of their messages.
  /// From now on every write of ticket events asks `planner` for outbox messages and commits
  /// them in the same transaction. Set once at startup; null turns it off.
  virtual void set_outbox_planner(OutboxPlannerPtr planner) = 0;
  /// Returns the new id.
  virtual Result<std::int64_t> insert_integration_target(const IntegrationTarget& target) = 0;
  virtual Result<std::optional<IntegrationTarget>> find_integration_target(std::int64_t id) = 0;
  /// The targets of one connector, oldest first.
  virtual Result<std::vector<IntegrationTarget>> list_integration_targets(
      std::string_view connector) = 0;
  /// kNotFound if unknown. Activating clears `disabled_reason`. Returns the target after.
  virtual Result<IntegrationTarget> update_integration_target(std::int64_t id,
                                                              const IntegrationTargetUpdate& update,
                                                              TimePoint now) = 0;
  /// Deletes the target and its messages; kNotFound if unknown.
  virtual Result<void> delete_integration_target(std::int64_t id) = 0;
  /// Enqueues messages that no ticket change causes (a ping).
  virtual Result<void> enqueue_outbox(const std::vector<OutboxMessage>& messages) = 0;
  /// Claims up to `limit` messages that are due at `now`: only the oldest pending message of
  /// each active target (so a target receives its messages in order, one at a time). Each
  /// claimed message counts one attempt and is leased until `now + lease`: when its outcome is
  /// not recorded by then (the process died), it is claimed again.
  virtual Result<std::vector<OutboxMessage>> claim_outbox(TimePoint now, std::size_t limit,
                                                          std::chrono::milliseconds lease) = 0;
  /// Records the outcome of the attempt on a claimed message.
  virtual Result<void> record_outbox_attempt(std::int64_t message_id,
                                             const OutboxAttempt& attempt) = 0;
  /// When the next claimable message is due (nullopt: none pending for an active target).
  virtual Result<std::optional<TimePoint>> next_outbox_due() = 0;
  /// One target's delivery log, newest first.
  virtual Result<OutboxPage> list_outbox(const OutboxFilter& filter) = 0;
  virtual Result<std::optional<OutboxMessage>> find_outbox_message(
      std::int64_t target_id, std::string_view delivery_id) = 0;
  /// Puts a delivered or failed message back in the queue (attempts from zero, due now);
  /// kNotFound if unknown, kConflict while it is still pending.
  virtual Result<OutboxMessage> requeue_outbox_message(std::int64_t target_id,
                                                       std::string_view delivery_id,
                                                       TimePoint now) = 0;
  /// Messages by status, per target id.
  virtual Result<std::map<std::int64_t, OutboxCounts>> outbox_counts() = 0;
  /// Deletes delivered and failed messages whose last change is older than `before`; returns
  /// how many.
  virtual Result<std::int64_t> prune_outbox(TimePoint before) = 0;
};

using StorePtr = std::unique_ptr<Store>;

}  // namespace triage::collector
