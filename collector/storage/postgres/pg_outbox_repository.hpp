#pragma once
// PostgreSQL: integration targets and the outbox of their messages. Claims lock the messages
// they take (`FOR UPDATE SKIP LOCKED`), so claimants on any number of nodes never take one
// message twice and never wait on each other.

#include "collector/storage/outbox_repository.hpp"
#include "collector/storage/postgres/pg_connector.hpp"

namespace triage::collector {

class PgOutboxRepository final : public OutboxRepository {
 public:
  explicit PgOutboxRepository(postgres::Connector& connector) : connector_(connector) {}

  Result<std::optional<IntegrationTarget>> find_integration_target(std::int64_t id) override;
  Result<std::vector<IntegrationTarget>> list_integration_targets(
      std::string_view connector) override;
  Result<std::optional<TimePoint>> next_outbox_due() override;
  Result<OutboxPage> list_outbox(const OutboxFilter& filter) override;
  Result<std::optional<OutboxMessage>> find_outbox_message(std::int64_t target_id,
                                                           std::string_view delivery_id) override;
  Result<std::map<std::int64_t, OutboxCounts>> outbox_counts() override;
  Result<std::int64_t> insert_integration_target(const IntegrationTarget& target) override;
  Result<IntegrationTarget> update_integration_target(std::int64_t id,
                                                      const IntegrationTargetUpdate& update,
                                                      TimePoint now) override;
  Result<void> delete_integration_target(std::int64_t id) override;
  Result<void> enqueue_outbox(const std::vector<OutboxMessage>& messages) override;
  Result<std::vector<OutboxMessage>> claim_outbox(TimePoint now, std::size_t limit,
                                                  std::chrono::milliseconds lease) override;
  Result<void> record_outbox_attempt(std::int64_t message_id,
                                     const OutboxAttempt& attempt) override;
  Result<OutboxMessage> requeue_outbox_message(std::int64_t target_id, std::string_view delivery_id,
                                               TimePoint now) override;
  Result<std::int64_t> prune_outbox(TimePoint before) override;

 private:
  postgres::Connector& connector_;
};

}  // namespace triage::collector
