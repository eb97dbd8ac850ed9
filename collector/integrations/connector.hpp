#pragma once
// A connector delivers one outbox message to one target of its kind (a webhook URL now,
// a Request Tracker instance later) and says how it went. The outbox worker owns retries,
// ordering and bookkeeping; a connector only talks to the external system.

#include <optional>
#include <string>
#include <string_view>

#include "collector/storage/integration_records.hpp"

namespace triage::collector {

enum class DeliveryResult {
  kDelivered,  ///< the external system accepted it
  kRetry,      ///< a temporary failure: try again later
  kFailed,     ///< it will never be accepted as it is: give up (an admin may redeliver)
};

struct DeliveryOutcome {
  DeliveryResult result = DeliveryResult::kRetry;
  int http_status = 0;  ///< 0 when there was no HTTP answer
  std::string detail;   ///< why, for the delivery log (short, printable)
  /// Deactivate the target with this reason (it told us it is gone).
  std::optional<std::string> disable_target;
};

class Connector {
 public:
  virtual ~Connector() = default;
  /// The connector's name, as stored in IntegrationTarget::connector.
  virtual std::string_view name() const = 0;
  /// Delivers `message` to `target`; blocking, bounded by the connector's own timeouts.
  /// Called from outbox worker threads, possibly concurrently for different targets.
  virtual DeliveryOutcome deliver(const IntegrationTarget& target, const OutboxMessage& message,
                                  TimePoint now) = 0;
};

}  // namespace triage::collector
