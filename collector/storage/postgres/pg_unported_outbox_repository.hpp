#pragma once
// PostgreSQL, not ported yet: integration targets and the outbox. Every call fails with
// kUnavailable instead of crashing; the backend stays unselectable in open_store() until every area
// is ported.

#include "collector/storage/outbox_repository.hpp"

namespace triage::collector {

class PgUnportedOutboxRepository final : public OutboxRepository {
 public:
  Result<std::optional<IntegrationTarget>> find_integration_target(std::int64_t) override {
    return unavailable();
  }
  Result<std::vector<IntegrationTarget>> list_integration_targets(std::string_view) override {
    return unavailable();
  }
  Result<std::optional<TimePoint>> next_outbox_due() override { return unavailable(); }
  Result<OutboxPage> list_outbox(const OutboxFilter&) override { return unavailable(); }
  Result<std::optional<OutboxMessage>> find_outbox_message(std::int64_t,
                                                           std::string_view) override {
    return unavailable();
  }
  Result<std::map<std::int64_t, OutboxCounts>> outbox_counts() override { return unavailable(); }
  Result<std::int64_t> insert_integration_target(const IntegrationTarget&) override {
    return unavailable();
  }
  Result<IntegrationTarget> update_integration_target(std::int64_t, const IntegrationTargetUpdate&,
                                                      TimePoint) override {
    return unavailable();
  }
  Result<void> delete_integration_target(std::int64_t) override { return unavailable(); }
  Result<void> enqueue_outbox(const std::vector<OutboxMessage>&) override { return unavailable(); }
  Result<std::vector<OutboxMessage>> claim_outbox(TimePoint, std::size_t,
                                                  std::chrono::milliseconds) override {
    return unavailable();
  }
  Result<void> record_outbox_attempt(std::int64_t, const OutboxAttempt&) override {
    return unavailable();
  }
  Result<OutboxMessage> requeue_outbox_message(std::int64_t, std::string_view, TimePoint) override {
    return unavailable();
  }
  Result<std::int64_t> prune_outbox(TimePoint) override { return unavailable(); }

 private:
  static tl::unexpected<Error> unavailable() {
    return fail(ErrorCode::kUnavailable, "outbox: not yet supported by the PostgreSQL backend");
  }
};

}  // namespace triage::collector
