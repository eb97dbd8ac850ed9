#pragma once
// Helpers for collector tests: fixture paths and one-category snapshots of a fixture tree.

#include <string>
#include <vector>

#include "agent/collectors/snapshot_taker.hpp"

namespace triage::agent::testing {

/// tests/fixtures/sysroot/<machine>
inline std::string fixture_root(const std::string& machine) {
  return std::string(TRIAGE_FIXTURES_DIR) + "/sysroot/" + machine;
}

/// A full snapshot of a fixture machine (probes are never run against a fixture).
inline v1::Snapshot fixture_snapshot(const std::string& machine,
                                     std::vector<std::string> only = {}) {
  SnapshotOptions options;
  options.sysroot = fixture_root(machine);
  options.only_categories = std::move(only);
  return SnapshotTaker(options).take();
}

/// The status of collector `name` in `snap` (default instance when absent).
inline v1::CollectorStatus status_of(const v1::Snapshot& snap, const std::string& name) {
  for (const auto& c : snap.collectors()) {
    if (c.name() == name) return c;
  }
  return {};
}

}  // namespace triage::agent::testing
