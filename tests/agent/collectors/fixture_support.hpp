#pragma once
// Helpers for collector tests: fixture paths, snapshots of a fixture tree (whole, one category
// or one collector), and lookups in repeated fields.

#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
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

/// A snapshot of a fixture machine with only collector `name` of the catalog run: what one
/// source reports, and its status.
inline v1::Snapshot fixture_collect(const std::string& machine, std::string_view name) {
  for (const auto& spec : collector_catalog()) {
    if (spec.name != name) continue;
    SnapshotOptions options;
    options.sysroot = fixture_root(machine);
    return SnapshotTaker(options, std::span<const CollectorSpec>(&spec, 1), nullptr).take();
  }
  throw std::invalid_argument("no collector named " + std::string(name) + " in the catalog");
}

/// The first element of `list` matching `pred`, nullptr when none does.
template <class List, class Pred>
const auto* find_if(const List& list, Pred pred) {
  for (const auto& e : list) {
    if (pred(e)) return &e;
  }
  return static_cast<decltype(&*list.begin())>(nullptr);
}

/// The status of collector `name` in `snap` (default instance when absent).
inline v1::CollectorStatus status_of(const v1::Snapshot& snap, const std::string& name) {
  for (const auto& c : snap.collectors()) {
    if (c.name() == name) return c;
  }
  return {};
}

}  // namespace triage::agent::testing
