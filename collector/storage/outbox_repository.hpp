#pragma once
// Integrations: targets (webhook subscriptions, RT connectors) and the outbox of their
// messages with their delivery state.
// Read through a ReadTx or a WriteTx (collector/storage/transaction.hpp); a read through a
// WriteTx sees that transaction's own writes.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collector/storage/integration_records.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

/// The reads of this area.
class OutboxReader {
 public:
  virtual ~OutboxReader() = default;

  virtual Result<std::optional<IntegrationTarget>> find_integration_target(std::int64_t id) = 0;
  /// The targets of one connector, oldest first.
  virtual Result<std::vector<IntegrationTarget>> list_integration_targets(
      std::string_view connector) = 0;
  /// When the next claimable message is due (nullopt: none pending for an active target).
  virtual Result<std::optional<TimePoint>> next_outbox_due() = 0;
  /// One target's delivery log, newest first.
  virtual Result<OutboxPage> list_outbox(const OutboxFilter& filter) = 0;
  virtual Result<std::optional<OutboxMessage>> find_outbox_message(
      std::int64_t target_id, std::string_view delivery_id) = 0;
  /// Messages by status, per target id.
  virtual Result<std::map<std::int64_t, OutboxCounts>> outbox_counts() = 0;
};

/// The reads and writes of this area, reached from a WriteTx.
class OutboxRepository : public OutboxReader {
 public:
  /// Returns the new id.
  virtual Result<std::int64_t> insert_integration_target(const IntegrationTarget& target) = 0;
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
  /// Puts a delivered or failed message back in the queue (attempts from zero, due now);
  /// kNotFound if unknown, kConflict while it is still pending.
  virtual Result<OutboxMessage> requeue_outbox_message(std::int64_t target_id,
                                                       std::string_view delivery_id,
                                                       TimePoint now) = 0;
  /// Deletes delivered and failed messages whose last change is older than `before`; returns
  /// how many.
  virtual Result<std::int64_t> prune_outbox(TimePoint before) = 0;
};

}  // namespace triage::collector
