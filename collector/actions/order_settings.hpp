#pragma once
// Limits and deadlines of remediation orders ([actions] in the collector config).

#include <chrono>
#include <cstddef>

namespace triage::collector {

struct OrderSettings {
  /// How long a signed order stays valid (the agent refuses it afterwards).
  std::chrono::seconds order_ttl{900};
  /// How long an order may wait for approval before it expires.
  std::chrono::seconds approval_ttl{24 * 3600};
  /// Orders waiting or in flight per device (queued, sent, running), at most.
  std::size_t max_queued_per_device = 16;
  /// Clock difference between collector and agent tolerated around the expiry.
  std::chrono::seconds clock_skew{60};
  /// How often expired orders are looked for.
  std::chrono::milliseconds sweep_interval{5000};
};

}  // namespace triage::collector
