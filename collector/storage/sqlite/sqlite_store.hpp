#pragma once
// The embedded default store: one SQLite file in WAL mode, schema migrated at open.

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "collector/storage/store.hpp"
#include "shared/sqlite/database.hpp"
#include "shared/sqlite/reader_pool.hpp"
#include "shared/sqlite/wal_checkpointer.hpp"

namespace triage::collector {

struct SqliteStoreOptions {
  /// The server's store: a thread of its own checkpoints the WAL, never the writer (see
  /// shared/sqlite/wal_checkpointer.hpp). Short-lived CLI commands keep SQLite's default.
  bool background_checkpoints = false;
  /// The writer connection's page cache in KiB (0: SQLite's default, 2 MiB).
  int cache_kib = 0;
};

// The store implements every repository itself, privately: callers reach them only through
// read() and write(), whose handles hand out the store (see SqliteReadTx).
class SqliteStore final : public Store,
                          private DeviceRepository,
                          private AuthRepository,
                          private ReportRepository,
                          private TicketRepository,
                          private ProblemRepository,
                          private OrderRepository,
                          private AuditRepository,
                          private OutboxRepository,
                          private CatalogRepository,
                          private LiveRepository {
 public:
  /// Opens or creates the database at `path` and applies pending schema migrations.
  static Result<std::unique_ptr<SqliteStore>> open(const std::string& path,
                                                   SqliteStoreOptions options = {});

  ReadTx& read() override { return read_tx_; }

  /// Schema version after migrations (for tests and `doctor` output).
  int schema_version();

 protected:
  Result<void> run_write(const std::function<Result<void>(WriteTx&)>& body) override;

 private:
  Result<void> insert_enrollment_token(const EnrollmentToken& token) override;
  Result<std::vector<EnrollmentToken>> list_enrollment_tokens() override;
  Result<void> revoke_enrollment_token(std::string_view id, TimePoint when) override;
  Result<void> check_enrollment_token(std::string_view token_hash, TimePoint now) override;
  Result<std::string> enroll_device(std::string_view token_hash, const Device& device,
                                    TimePoint now) override;
  Result<std::optional<Device>> find_device(std::string_view id) override;
  Result<std::vector<Device>> list_devices() override;
  Result<void> revoke_device(std::string_view id, TimePoint when) override;
  Result<void> record_hello(std::string_view device_id, const DeviceHelloFacts& facts,
                            TimePoint when) override;
  Result<void> touch_device(std::string_view device_id, TimePoint when) override;
  Result<void> renew_certificate(std::string_view device_id, std::string_view presented_sha256,
                                 std::string_view new_sha256) override;
  Result<void> retire_previous_certificate(std::string_view device_id) override;
  Result<Device> update_device(std::string_view id, const DeviceUpdate& update) override;

  Result<std::int64_t> insert_user(const User& user) override;
  Result<std::optional<User>> find_user_by_name(std::string_view name) override;
  Result<std::optional<User>> find_user(std::int64_t id) override;
  Result<void> insert_session(const ApiSession& session) override;
  Result<std::optional<ApiSession>> find_session(std::string_view token_hash,
                                                 TimePoint now) override;

  // --- Authentication hardening. ---
  Result<LoginThrottleState> update_login_throttle(
      std::string_view name, TimePoint now,
      const std::function<LoginThrottleState(LoginThrottleState)>& update) override;
  Result<std::optional<LoginThrottleState>> find_login_throttle(std::string_view name) override;
  Result<LoginClientThrottle> update_login_client_throttle(
      std::string_view client, TimePoint now,
      const std::function<LoginClientThrottle(std::optional<LoginClientThrottle>)>& update)
      override;
  Result<std::optional<LoginClientThrottle>> find_login_client_throttle(
      std::string_view client) override;
  Result<void> delete_session(std::string_view token_hash) override;
  Result<void> insert_api_token(const ApiToken& token) override;
  Result<std::optional<ApiToken>> find_api_token(std::string_view token_hash) override;
  Result<std::vector<ApiToken>> list_api_tokens() override;
  Result<void> revoke_api_token(std::string_view id, TimePoint when) override;
  Result<void> touch_api_token(std::string_view id, TimePoint when) override;
  Result<std::vector<User>> list_users() override;
  Result<User> update_user(std::int64_t id, const UserUpdate& update, TimePoint now) override;
  Result<void> record_directory_check(std::int64_t user_id, Role role, TimePoint when) override;
  Result<void> end_user_access(std::int64_t user_id, TimePoint when) override;
  Result<void> set_password(std::int64_t user_id, std::string_view password_hash,
                            std::string_view keep_session_hash) override;
  Result<void> reset_password(std::int64_t user_id, std::string_view password_hash) override;
  Result<void> begin_totp(std::int64_t user_id, std::string_view secret_base32) override;
  Result<void> activate_totp(std::int64_t user_id, std::string_view secret_base32,
                             std::int64_t step,
                             const std::vector<std::string>& recovery_code_hashes) override;
  Result<bool> accept_totp_step(std::int64_t user_id, std::int64_t step) override;
  Result<bool> use_recovery_code(std::int64_t user_id, std::string_view code_hash,
                                 TimePoint when) override;
  Result<void> remove_totp(std::int64_t user_id) override;
  Result<int> count_recovery_codes(std::int64_t user_id) override;
  Result<std::vector<ApiSession>> list_sessions(std::int64_t user_id, TimePoint now) override;
  Result<bool> delete_user_session(std::int64_t user_id, std::string_view id) override;
  Result<void> touch_session(std::string_view token_hash, TimePoint when) override;
  // --- end of authentication hardening. ---

  Result<bool> store_report(const StoredReport& report) override;
  Result<std::vector<bool>> store_reports(const std::vector<StoredReport>& reports) override;
  Result<std::uint64_t> last_report_seq(std::string_view device_id) override;
  Result<bool> has_snapshot(std::string_view device_id) override;
  Result<std::optional<StoredReport>> latest_snapshot(std::string_view device_id) override;
  Result<std::optional<StoredReport>> snapshot_at_or_before(std::string_view device_id,
                                                            TimePoint t) override;
  Result<std::optional<StoredReport>> find_report(std::string_view device_id,
                                                  std::uint64_t seq) override;

  // Current state, metric history, retention (sqlite_device_state_store.cpp).
  Result<std::vector<bool>> store_ingest(const IngestBatch& batch) override;
  Result<std::optional<DeviceState>> device_state(std::string_view device_id,
                                                  bool with_snapshot) override;
  Result<std::map<std::string, DeviceState>> device_states(
      const std::vector<std::string>& device_ids, bool with_snapshot) override;
  Result<std::vector<MetricPoint>> metric_points(std::string_view device_id,
                                                 std::string_view metric, TimePoint since,
                                                 TimePoint until, std::size_t limit) override;
  Result<RetentionResult> apply_retention(const RetentionCutoffs& cutoffs) override;

  // Tickets (sqlite_ticket_store.cpp).
  Result<void> create_ticket(Ticket& ticket, std::vector<TicketEvent> events) override;
  Result<std::optional<Ticket>> find_ticket(std::int64_t id) override;
  Result<std::optional<Ticket>> find_ticket_by_external(std::string_view system,
                                                        std::string_view external_id) override;
  Result<Ticket> link_ticket_external(std::int64_t ticket_id, std::string_view system,
                                      std::string_view external_id,
                                      const TicketEvent& event) override;
  Result<std::vector<Ticket>> linked_open_tickets(std::string_view system, int limit) override;
  Result<TicketPage> list_tickets(const TicketFilter& filter) override;
  Result<void> update_ticket(const Ticket& ticket, std::int64_t expected_version,
                             const std::vector<TicketEvent>& events) override;
  Result<void> append_ticket_events(const std::vector<TicketEvent>& events) override;
  Result<bool> link_ticket_device(std::int64_t ticket_id, std::string_view device_id,
                                  const TicketEvent& event) override;
  Result<std::vector<TicketEvent>> ticket_events(std::int64_t ticket_id) override;
  Result<std::vector<Attachment>> ticket_attachments(std::int64_t ticket_id) override;
  Result<std::optional<Attachment>> find_attachment(std::int64_t id) override;
  Result<void> insert_enrichment(Enrichment& enrichment, std::optional<Attachment> attachment,
                                 TicketEvent event) override;
  Result<std::vector<Enrichment>> ticket_enrichments(std::int64_t ticket_id) override;

  // Fleet findings (sqlite_findings_store.cpp).
  Result<void> replace_device_findings(std::string_view device_id,
                                       const std::vector<DeviceFinding>& current,
                                       TimePoint now) override;
  Result<std::vector<DeviceFinding>> device_findings(std::string_view device_id) override;
  Result<std::vector<FleetFinding>> fleet_findings(std::optional<TimePoint> since) override;

  Result<void> create_problem(Problem& problem) override;
  Result<std::optional<Problem>> find_problem(std::int64_t id) override;
  Result<std::optional<Problem>> open_problem_for_rule(std::string_view rule_id) override;
  Result<std::vector<Problem>> list_problems(std::optional<bool> open) override;
  Result<void> update_problem(const Problem& problem,
                              const std::vector<TicketEvent>& events) override;
  Result<bool> link_ticket_problem(std::int64_t ticket_id, std::int64_t problem_id,
                                   const TicketEvent& event) override;
  Result<bool> unlink_ticket_problem(std::int64_t ticket_id, std::int64_t problem_id,
                                     const TicketEvent& event) override;
  Result<std::vector<Problem>> ticket_problems(std::int64_t ticket_id) override;
  Result<std::vector<std::int64_t>> open_tickets_with_finding(std::string_view rule_id) override;
  // Custom actions (sqlite_custom_action_store.cpp).
  Result<void> insert_custom_action(const CustomAction& action) override;
  Result<bool> replace_custom_action(const CustomAction& action,
                                     std::string_view expected_sha256) override;
  Result<void> delete_custom_action(std::string_view id) override;
  Result<std::optional<CustomAction>> find_custom_action(std::string_view id) override;
  Result<std::vector<CustomAction>> list_custom_actions() override;
  // Catalog proposals (sqlite_catalog_proposal_store.cpp).
  Result<std::int64_t> insert_catalog_proposal(const CatalogProposal& proposal) override;
  Result<std::optional<CatalogProposal>> find_catalog_proposal(std::int64_t id) override;
  Result<std::vector<CatalogProposal>> list_catalog_proposals(std::optional<ProposalStatus> status,
                                                              int limit) override;
  Result<bool> decide_catalog_proposal(const CatalogProposal& proposal) override;

  // Remediation orders (sqlite_order_store.cpp).
  Result<void> insert_order(const Order& order, const std::vector<TicketEvent>& events) override;
  Result<std::optional<Order>> find_order(std::string_view id) override;
  Result<bool> update_order_with_attachment(Order& order, const std::vector<OrderState>& from,
                                            Attachment& attachment,
                                            std::vector<TicketEvent> events) override;
  Result<bool> update_order(const Order& order, const std::vector<OrderState>& from,
                            const std::vector<TicketEvent>& events) override;
  Result<std::vector<Order>> list_orders(const OrderQuery& query) override;
  Result<bool> append_order_output(std::string_view order_id, const OrderOutputChunk& chunk,
                                   std::uint64_t cap) override;
  Result<std::vector<OrderOutputChunk>> order_output(std::string_view order_id) override;

  // The audit log (sqlite_audit_store.cpp).
  Result<void> insert_audit_record(const AuditRecord& record) override;
  Result<AuditPage> list_audit(const AuditFilter& filter) override;
  Result<void> scan_audit(std::uint64_t from_seq,
                          const std::function<bool(const AuditRecord&)>& visit) override;
  Result<std::optional<AuditRecord>> audit_head() override;
  Result<bool> insert_audit_checkpoint(const AuditCheckpoint& checkpoint) override;
  Result<std::vector<AuditCheckpoint>> audit_checkpoints() override;

  // Integrations: targets and the outbox (sqlite_outbox_store.cpp).
  Result<std::int64_t> insert_integration_target(const IntegrationTarget& target) override;
  Result<std::optional<IntegrationTarget>> find_integration_target(std::int64_t id) override;
  Result<std::vector<IntegrationTarget>> list_integration_targets(
      std::string_view connector) override;
  Result<IntegrationTarget> update_integration_target(std::int64_t id,
                                                      const IntegrationTargetUpdate& update,
                                                      TimePoint now) override;
  Result<void> delete_integration_target(std::int64_t id) override;
  Result<void> enqueue_outbox(const std::vector<OutboxMessage>& messages) override;
  Result<std::vector<OutboxMessage>> claim_outbox(TimePoint now, std::size_t limit,
                                                  std::chrono::milliseconds lease) override;
  Result<void> record_outbox_attempt(std::int64_t message_id,
                                     const OutboxAttempt& attempt) override;
  Result<std::optional<TimePoint>> next_outbox_due() override;
  Result<OutboxPage> list_outbox(const OutboxFilter& filter) override;
  Result<std::optional<OutboxMessage>> find_outbox_message(std::int64_t target_id,
                                                           std::string_view delivery_id) override;
  Result<OutboxMessage> requeue_outbox_message(std::int64_t target_id, std::string_view delivery_id,
                                               TimePoint now) override;
  Result<std::map<std::int64_t, OutboxCounts>> outbox_counts() override;
  Result<std::int64_t> prune_outbox(TimePoint before) override;

  // Live sessions and their samples (sqlite_live_store.cpp).
  Result<std::optional<LiveSession>> find_live_session(std::string_view id) override;
  Result<std::optional<LiveSession>> running_live_session(std::string_view device_id,
                                                          TimePoint now) override;
  Result<std::int64_t> count_running_live_sessions(TimePoint now) override;
  Result<std::vector<LiveSession>> ticket_live_sessions(std::int64_t ticket_id) override;
  Result<std::vector<LiveSampleRow>> live_samples_after(std::string_view session_id,
                                                        std::uint32_t after_seq,
                                                        int limit) override;
  Result<void> insert_live_session(const LiveSession& session) override;
  Result<bool> extend_live_session(std::string_view id, TimePoint ends_at) override;
  Result<bool> end_live_session(std::string_view id, TimePoint ended_at,
                                std::string_view reason) override;
  Result<std::vector<std::string>> end_device_live_sessions(std::string_view device_id,
                                                            TimePoint ended_at,
                                                            std::string_view reason) override;
  Result<std::size_t> append_live_samples(const std::vector<LiveSampleRow>& samples) override;
  Result<std::size_t> prune_live_samples(TimePoint cutoff) override;

  // The repositories seen through a transaction handle are the store itself, whose reads
  // follow the thread's open write transaction (see read_connection()).
  class SqliteReadTx final : public ReadTx {
   public:
    explicit SqliteReadTx(SqliteStore& store) : store_(store) {}
    DeviceReader& devices() override { return store_; }
    AuthReader& auth() override { return store_; }
    ReportReader& reports() override { return store_; }
    TicketReader& tickets() override { return store_; }
    ProblemReader& problems() override { return store_; }
    OrderReader& orders() override { return store_; }
    AuditReader& audit() override { return store_; }
    OutboxReader& outbox() override { return store_; }
    CatalogReader& catalog() override { return store_; }
    LiveReader& live() override { return store_; }

   private:
    SqliteStore& store_;
  };
  class SqliteWriteTx final : public WriteTx {
   public:
    explicit SqliteWriteTx(SqliteStore& store) : store_(store) {}
    DeviceRepository& devices() override { return store_; }
    AuthRepository& auth() override { return store_; }
    ReportRepository& reports() override { return store_; }
    TicketRepository& tickets() override { return store_; }
    ProblemRepository& problems() override { return store_; }
    OrderRepository& orders() override { return store_; }
    AuditRepository& audit() override { return store_; }
    OutboxRepository& outbox() override { return store_; }
    CatalogRepository& catalog() override { return store_; }
    LiveRepository& live() override { return store_; }

   private:
    SqliteStore& store_;
  };

  /// A connection to read from: the writer's while this thread runs a write transaction (so
  /// the read sees the transaction's own writes), else one of the reader pool's.
  class ReadConnection {
   public:
    explicit ReadConnection(sqlite::Database* writer) : db_(writer) {}
    explicit ReadConnection(sqlite::ReaderPool::Lease lease)
        : lease_(std::move(lease)), db_(lease_->get()) {}
    ReadConnection(ReadConnection&& other) noexcept = default;
    sqlite::Database* get() const { return db_; }

   private:
    std::optional<sqlite::ReaderPool::Lease> lease_;
    sqlite::Database* db_;
  };

  SqliteStore(std::unique_ptr<sqlite::Database> db, const std::string& path)
      : db_(std::move(db)), readers_(path) {}
  Result<ReadConnection> read_connection();
  Result<void> migrate();
  Result<std::optional<StoredReport>> read_report(
      std::string_view device_id, std::string_view where_sql,
      const std::function<void(sqlite::Statement&)>& bind);
  Result<std::uint64_t> delete_chunk(std::string_view sql, std::int64_t cutoff_ms,
                                     std::size_t chunk);
  /// Inserts ticket events inside the caller's transaction.
  Result<std::int64_t> insert_events(const std::vector<TicketEvent>& events);
  /// The conditional UPDATE of update_order(), inside the caller's transaction.
  Result<bool> write_order_row(const Order& order, const std::vector<OrderState>& from);
  /// Inside the caller's transaction; returns the attachment's id.
  Result<std::int64_t> write_attachment(const Attachment& attachment);
  Result<void> insert_outbox(const std::vector<OutboxMessage>& messages);
  Result<std::optional<Ticket>> find_ticket_where(
      std::string_view where_sql, const std::function<void(sqlite::Statement&)>& bind);
  Result<std::optional<User>> find_user_where(std::string_view column_sql,
                                              const std::function<void(sqlite::Statement&)>& bind);

  // One writer connection, calls serialized; reads use a pool of their own connections, so
  // with WAL they never wait for a write transaction (e.g. a large ingest batch). Recursive:
  // run_write() holds it while the body calls the write methods, which nest their
  // transactions as savepoints.
  std::recursive_mutex write_mutex_;
  // The thread running a write transaction (set and cleared under write_mutex_): its reads go
  // to the writer connection.
  std::atomic<std::thread::id> tx_thread_{};
  SqliteReadTx read_tx_{*this};
  SqliteWriteTx write_tx_{*this};
  std::unique_ptr<sqlite::Database> db_;
  sqlite::ReaderPool readers_;
  std::unique_ptr<sqlite::WalCheckpointer> checkpointer_;  // stopped first
};

}  // namespace triage::collector
