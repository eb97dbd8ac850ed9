#pragma once
// SnapshotTaker: runs the collector catalog into one Snapshot. A collector that fails, throws
// or goes over budget costs only its own fields; it is named in Snapshot.collectors.

#include <functional>
#include <memory>
#include <span>

#include "agent/collectors/collector.hpp"
#include "agent/collectors/cooldown.hpp"
#include "agent/collectors/host.hpp"
#include "agent/collectors/snapshot_options.hpp"
#include "shared/util/fs_root.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// Current schema_version written into snapshots.
inline constexpr std::uint32_t kSnapshotSchemaVersion = 1;

/// Long-lived snapshot producer (one per agent): keeps the cool-down state between snapshots.
class SnapshotTaker {
 public:
  /// Uses collector_catalog() and the host matching `options.sysroot`.
  explicit SnapshotTaker(SnapshotOptions options);
  /// For tests: a custom catalog, host (nullptr = the one matching the sysroot) and clock.
  SnapshotTaker(SnapshotOptions options, std::span<const CollectorSpec> catalog, HostPtr host,
                std::function<CooldownTracker::Clock::time_point()> clock = {});

  /// Collects every selected category. Never throws.
  v1::Snapshot take();

  const SnapshotOptions& options() const { return options_; }

 private:
  void run_one(const CollectorSpec& spec, v1::Snapshot& snapshot);

  SnapshotOptions options_;
  FsRoot fs_;
  std::span<const CollectorSpec> catalog_;
  HostPtr host_;
  std::function<CooldownTracker::Clock::time_point()> clock_;
  CooldownTracker cooldown_;
};

}  // namespace triage::agent
