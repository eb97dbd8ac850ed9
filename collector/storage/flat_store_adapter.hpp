#pragma once
// The flat methods Store still inherits from the repositories, implemented once for a backend
// that has only write() and read(): a reader method reads through read(), a writer method runs
// as a write() of its own. A transitional adapter: it goes when the flat methods go.

#include "collector/storage/store.hpp"

namespace triage::collector {

class FlatStoreAdapter : public Store {
 public:
  // Device.
  Result<std::vector<EnrollmentToken>> list_enrollment_tokens() override {
    return read().devices().list_enrollment_tokens();
  }
  Result<void> check_enrollment_token(std::string_view token_hash, TimePoint now) override {
    return read().devices().check_enrollment_token(token_hash, now);
  }
  Result<std::optional<Device>> find_device(std::string_view id) override {
    return read().devices().find_device(id);
  }
  Result<std::vector<Device>> list_devices() override { return read().devices().list_devices(); }
  Result<void> insert_enrollment_token(const EnrollmentToken& token) override {
    return write([&](WriteTx& tx) { return tx.devices().insert_enrollment_token(token); });
  }
  Result<void> revoke_enrollment_token(std::string_view id, TimePoint when) override {
    return write([&](WriteTx& tx) { return tx.devices().revoke_enrollment_token(id, when); });
  }
  Result<std::string> enroll_device(std::string_view token_hash, const Device& device,
                                    TimePoint now) override {
    return write([&](WriteTx& tx) { return tx.devices().enroll_device(token_hash, device, now); });
  }
  Result<void> revoke_device(std::string_view id, TimePoint when) override {
    return write([&](WriteTx& tx) { return tx.devices().revoke_device(id, when); });
  }
  Result<void> record_hello(std::string_view device_id, const DeviceHelloFacts& facts,
                            TimePoint when) override {
    return write([&](WriteTx& tx) { return tx.devices().record_hello(device_id, facts, when); });
  }
  Result<void> touch_device(std::string_view device_id, TimePoint when) override {
    return write([&](WriteTx& tx) { return tx.devices().touch_device(device_id, when); });
  }
  Result<Device> update_device(std::string_view id, const DeviceUpdate& update) override {
    return write([&](WriteTx& tx) { return tx.devices().update_device(id, update); });
  }
  // Auth.
  Result<std::optional<User>> find_user_by_name(std::string_view name) override {
    return read().auth().find_user_by_name(name);
  }
  Result<std::optional<User>> find_user(std::int64_t id) override {
    return read().auth().find_user(id);
  }
  Result<std::vector<User>> list_users() override { return read().auth().list_users(); }
  Result<std::optional<ApiSession>> find_session(std::string_view token_hash,
                                                 TimePoint now) override {
    return read().auth().find_session(token_hash, now);
  }
  Result<std::optional<LoginThrottleState>> find_login_throttle(std::string_view name) override {
    return read().auth().find_login_throttle(name);
  }
  Result<std::optional<ApiToken>> find_api_token(std::string_view token_hash) override {
    return read().auth().find_api_token(token_hash);
  }
  Result<std::vector<ApiToken>> list_api_tokens() override {
    return read().auth().list_api_tokens();
  }
  Result<std::int64_t> insert_user(const User& user) override {
    return write([&](WriteTx& tx) { return tx.auth().insert_user(user); });
  }
  Result<User> update_user(std::int64_t id, const UserUpdate& update, TimePoint now) override {
    return write([&](WriteTx& tx) { return tx.auth().update_user(id, update, now); });
  }
  Result<void> set_password(std::int64_t user_id, std::string_view password_hash,
                            std::string_view keep_session_hash) override {
    return write([&](WriteTx& tx) {
      return tx.auth().set_password(user_id, password_hash, keep_session_hash);
    });
  }
  Result<void> insert_session(const ApiSession& session) override {
    return write([&](WriteTx& tx) { return tx.auth().insert_session(session); });
  }
  Result<void> delete_session(std::string_view token_hash) override {
    return write([&](WriteTx& tx) { return tx.auth().delete_session(token_hash); });
  }
  Result<LoginThrottleState> update_login_throttle(
      std::string_view name, TimePoint now,
      const std::function<LoginThrottleState(LoginThrottleState)>& update) override {
    return write([&](WriteTx& tx) { return tx.auth().update_login_throttle(name, now, update); });
  }
  Result<void> insert_api_token(const ApiToken& token) override {
    return write([&](WriteTx& tx) { return tx.auth().insert_api_token(token); });
  }
  Result<void> revoke_api_token(std::string_view id, TimePoint when) override {
    return write([&](WriteTx& tx) { return tx.auth().revoke_api_token(id, when); });
  }
  Result<void> touch_api_token(std::string_view id, TimePoint when) override {
    return write([&](WriteTx& tx) { return tx.auth().touch_api_token(id, when); });
  }
  // Report.
  Result<std::uint64_t> last_report_seq(std::string_view device_id) override {
    return read().reports().last_report_seq(device_id);
  }
  Result<bool> has_snapshot(std::string_view device_id) override {
    return read().reports().has_snapshot(device_id);
  }
  Result<std::optional<StoredReport>> latest_snapshot(std::string_view device_id) override {
    return read().reports().latest_snapshot(device_id);
  }
  Result<std::optional<StoredReport>> snapshot_at_or_before(std::string_view device_id,
                                                            TimePoint t) override {
    return read().reports().snapshot_at_or_before(device_id, t);
  }
  Result<std::optional<StoredReport>> find_report(std::string_view device_id,
                                                  std::uint64_t seq) override {
    return read().reports().find_report(device_id, seq);
  }
  Result<std::optional<DeviceState>> device_state(std::string_view device_id,
                                                  bool with_snapshot) override {
    return read().reports().device_state(device_id, with_snapshot);
  }
  Result<std::vector<MetricPoint>> metric_points(std::string_view device_id,
                                                 std::string_view metric, TimePoint since,
                                                 TimePoint until, std::size_t limit) override {
    return read().reports().metric_points(device_id, metric, since, until, limit);
  }
  Result<bool> store_report(const StoredReport& report) override {
    return write([&](WriteTx& tx) { return tx.reports().store_report(report); });
  }
  Result<std::vector<bool>> store_reports(const std::vector<StoredReport>& reports) override {
    return write([&](WriteTx& tx) { return tx.reports().store_reports(reports); });
  }
  Result<std::vector<bool>> store_ingest(const IngestBatch& batch) override {
    return write([&](WriteTx& tx) { return tx.reports().store_ingest(batch); });
  }
  Result<RetentionResult> apply_retention(const RetentionCutoffs& cutoffs) override {
    return write([&](WriteTx& tx) { return tx.reports().apply_retention(cutoffs); });
  }
  // Ticket.
  Result<std::optional<Ticket>> find_ticket(std::int64_t id) override {
    return read().tickets().find_ticket(id);
  }
  Result<std::optional<Ticket>> find_ticket_by_external(std::string_view system,
                                                        std::string_view external_id) override {
    return read().tickets().find_ticket_by_external(system, external_id);
  }
  Result<TicketPage> list_tickets(const TicketFilter& filter) override {
    return read().tickets().list_tickets(filter);
  }
  Result<std::vector<Ticket>> linked_open_tickets(std::string_view system, int limit) override {
    return read().tickets().linked_open_tickets(system, limit);
  }
  Result<std::vector<TicketEvent>> ticket_events(std::int64_t ticket_id) override {
    return read().tickets().ticket_events(ticket_id);
  }
  Result<std::vector<Attachment>> ticket_attachments(std::int64_t ticket_id) override {
    return read().tickets().ticket_attachments(ticket_id);
  }
  Result<std::optional<Attachment>> find_attachment(std::int64_t id) override {
    return read().tickets().find_attachment(id);
  }
  Result<std::vector<Enrichment>> ticket_enrichments(std::int64_t ticket_id) override {
    return read().tickets().ticket_enrichments(ticket_id);
  }
  Result<void> create_ticket(Ticket& ticket, std::vector<TicketEvent> events) override {
    return write([&](WriteTx& tx) { return tx.tickets().create_ticket(ticket, events); });
  }
  Result<void> update_ticket(const Ticket& ticket, std::int64_t expected_version,
                             const std::vector<TicketEvent>& events) override {
    return write(
        [&](WriteTx& tx) { return tx.tickets().update_ticket(ticket, expected_version, events); });
  }
  Result<void> append_ticket_events(const std::vector<TicketEvent>& events) override {
    return write([&](WriteTx& tx) { return tx.tickets().append_ticket_events(events); });
  }
  Result<Ticket> link_ticket_external(std::int64_t ticket_id, std::string_view system,
                                      std::string_view external_id,
                                      const TicketEvent& event) override {
    return write([&](WriteTx& tx) {
      return tx.tickets().link_ticket_external(ticket_id, system, external_id, event);
    });
  }
  Result<bool> link_ticket_device(std::int64_t ticket_id, std::string_view device_id,
                                  const TicketEvent& event) override {
    return write(
        [&](WriteTx& tx) { return tx.tickets().link_ticket_device(ticket_id, device_id, event); });
  }
  Result<void> insert_enrichment(Enrichment& enrichment, std::optional<Attachment> attachment,
                                 TicketEvent event) override {
    return write(
        [&](WriteTx& tx) { return tx.tickets().insert_enrichment(enrichment, attachment, event); });
  }
  // Problem.
  Result<std::vector<DeviceFinding>> device_findings(std::string_view device_id) override {
    return read().problems().device_findings(device_id);
  }
  Result<std::vector<FleetFinding>> fleet_findings(std::optional<TimePoint> since) override {
    return read().problems().fleet_findings(since);
  }
  Result<std::optional<Problem>> find_problem(std::int64_t id) override {
    return read().problems().find_problem(id);
  }
  Result<std::optional<Problem>> open_problem_for_rule(std::string_view rule_id) override {
    return read().problems().open_problem_for_rule(rule_id);
  }
  Result<std::vector<Problem>> list_problems(std::optional<bool> open) override {
    return read().problems().list_problems(open);
  }
  Result<std::vector<Problem>> ticket_problems(std::int64_t ticket_id) override {
    return read().problems().ticket_problems(ticket_id);
  }
  Result<std::vector<std::int64_t>> open_tickets_with_finding(std::string_view rule_id) override {
    return read().problems().open_tickets_with_finding(rule_id);
  }
  Result<void> replace_device_findings(std::string_view device_id,
                                       const std::vector<DeviceFinding>& current,
                                       TimePoint now) override {
    return write([&](WriteTx& tx) {
      return tx.problems().replace_device_findings(device_id, current, now);
    });
  }
  Result<void> create_problem(Problem& problem) override {
    return write([&](WriteTx& tx) { return tx.problems().create_problem(problem); });
  }
  Result<void> update_problem(const Problem& problem,
                              const std::vector<TicketEvent>& events) override {
    return write([&](WriteTx& tx) { return tx.problems().update_problem(problem, events); });
  }
  Result<bool> link_ticket_problem(std::int64_t ticket_id, std::int64_t problem_id,
                                   const TicketEvent& event) override {
    return write([&](WriteTx& tx) {
      return tx.problems().link_ticket_problem(ticket_id, problem_id, event);
    });
  }
  Result<bool> unlink_ticket_problem(std::int64_t ticket_id, std::int64_t problem_id,
                                     const TicketEvent& event) override {
    return write([&](WriteTx& tx) {
      return tx.problems().unlink_ticket_problem(ticket_id, problem_id, event);
    });
  }
  // Order.
  Result<std::optional<Order>> find_order(std::string_view id) override {
    return read().orders().find_order(id);
  }
  Result<std::vector<Order>> list_orders(const OrderQuery& query) override {
    return read().orders().list_orders(query);
  }
  Result<std::vector<OrderOutputChunk>> order_output(std::string_view order_id) override {
    return read().orders().order_output(order_id);
  }
  Result<void> insert_order(const Order& order, const std::vector<TicketEvent>& events) override {
    return write([&](WriteTx& tx) { return tx.orders().insert_order(order, events); });
  }
  Result<bool> update_order(const Order& order, const std::vector<OrderState>& from,
                            const std::vector<TicketEvent>& events) override {
    return write([&](WriteTx& tx) { return tx.orders().update_order(order, from, events); });
  }
  Result<bool> update_order_with_attachment(Order& order, const std::vector<OrderState>& from,
                                            Attachment& attachment,
                                            std::vector<TicketEvent> events) override {
    return write([&](WriteTx& tx) {
      return tx.orders().update_order_with_attachment(order, from, attachment, events);
    });
  }
  Result<bool> append_order_output(std::string_view order_id, const OrderOutputChunk& chunk,
                                   std::uint64_t cap) override {
    return write(
        [&](WriteTx& tx) { return tx.orders().append_order_output(order_id, chunk, cap); });
  }
  // Audit.
  Result<std::optional<AuditRecord>> audit_head() override { return read().audit().audit_head(); }
  Result<AuditPage> list_audit(const AuditFilter& filter) override {
    return read().audit().list_audit(filter);
  }
  Result<void> scan_audit(std::uint64_t from_seq,
                          const std::function<bool(const AuditRecord&)>& visit) override {
    return read().audit().scan_audit(from_seq, visit);
  }
  Result<std::vector<AuditCheckpoint>> audit_checkpoints() override {
    return read().audit().audit_checkpoints();
  }
  Result<void> insert_audit_record(const AuditRecord& record) override {
    return write([&](WriteTx& tx) { return tx.audit().insert_audit_record(record); });
  }
  Result<bool> insert_audit_checkpoint(const AuditCheckpoint& checkpoint) override {
    return write([&](WriteTx& tx) { return tx.audit().insert_audit_checkpoint(checkpoint); });
  }
  // Outbox.
  Result<std::optional<IntegrationTarget>> find_integration_target(std::int64_t id) override {
    return read().outbox().find_integration_target(id);
  }
  Result<std::vector<IntegrationTarget>> list_integration_targets(
      std::string_view connector) override {
    return read().outbox().list_integration_targets(connector);
  }
  Result<std::optional<TimePoint>> next_outbox_due() override {
    return read().outbox().next_outbox_due();
  }
  Result<OutboxPage> list_outbox(const OutboxFilter& filter) override {
    return read().outbox().list_outbox(filter);
  }
  Result<std::optional<OutboxMessage>> find_outbox_message(std::int64_t target_id,
                                                           std::string_view delivery_id) override {
    return read().outbox().find_outbox_message(target_id, delivery_id);
  }
  Result<std::map<std::int64_t, OutboxCounts>> outbox_counts() override {
    return read().outbox().outbox_counts();
  }
  Result<std::int64_t> insert_integration_target(const IntegrationTarget& target) override {
    return write([&](WriteTx& tx) { return tx.outbox().insert_integration_target(target); });
  }
  Result<IntegrationTarget> update_integration_target(std::int64_t id,
                                                      const IntegrationTargetUpdate& update,
                                                      TimePoint now) override {
    return write(
        [&](WriteTx& tx) { return tx.outbox().update_integration_target(id, update, now); });
  }
  Result<void> delete_integration_target(std::int64_t id) override {
    return write([&](WriteTx& tx) { return tx.outbox().delete_integration_target(id); });
  }
  Result<void> enqueue_outbox(const std::vector<OutboxMessage>& messages) override {
    return write([&](WriteTx& tx) { return tx.outbox().enqueue_outbox(messages); });
  }
  Result<std::vector<OutboxMessage>> claim_outbox(TimePoint now, std::size_t limit,
                                                  std::chrono::milliseconds lease) override {
    return write([&](WriteTx& tx) { return tx.outbox().claim_outbox(now, limit, lease); });
  }
  Result<void> record_outbox_attempt(std::int64_t message_id,
                                     const OutboxAttempt& attempt) override {
    return write(
        [&](WriteTx& tx) { return tx.outbox().record_outbox_attempt(message_id, attempt); });
  }
  Result<OutboxMessage> requeue_outbox_message(std::int64_t target_id, std::string_view delivery_id,
                                               TimePoint now) override {
    return write([&](WriteTx& tx) {
      return tx.outbox().requeue_outbox_message(target_id, delivery_id, now);
    });
  }
  Result<std::int64_t> prune_outbox(TimePoint before) override {
    return write([&](WriteTx& tx) { return tx.outbox().prune_outbox(before); });
  }
  // Catalog.
  Result<std::optional<CustomAction>> find_custom_action(std::string_view id) override {
    return read().catalog().find_custom_action(id);
  }
  Result<std::vector<CustomAction>> list_custom_actions() override {
    return read().catalog().list_custom_actions();
  }
  Result<std::optional<CatalogProposal>> find_catalog_proposal(std::int64_t id) override {
    return read().catalog().find_catalog_proposal(id);
  }
  Result<std::vector<CatalogProposal>> list_catalog_proposals(std::optional<ProposalStatus> status,
                                                              int limit) override {
    return read().catalog().list_catalog_proposals(status, limit);
  }
  Result<void> insert_custom_action(const CustomAction& action) override {
    return write([&](WriteTx& tx) { return tx.catalog().insert_custom_action(action); });
  }
  Result<bool> replace_custom_action(const CustomAction& action,
                                     std::string_view expected_sha256) override {
    return write(
        [&](WriteTx& tx) { return tx.catalog().replace_custom_action(action, expected_sha256); });
  }
  Result<void> delete_custom_action(std::string_view id) override {
    return write([&](WriteTx& tx) { return tx.catalog().delete_custom_action(id); });
  }
  Result<std::int64_t> insert_catalog_proposal(const CatalogProposal& proposal) override {
    return write([&](WriteTx& tx) { return tx.catalog().insert_catalog_proposal(proposal); });
  }
  Result<bool> decide_catalog_proposal(const CatalogProposal& proposal) override {
    return write([&](WriteTx& tx) { return tx.catalog().decide_catalog_proposal(proposal); });
  }
};

}  // namespace triage::collector
