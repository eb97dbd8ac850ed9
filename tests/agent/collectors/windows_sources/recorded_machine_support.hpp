#pragma once
// Helpers for the Windows sources' tests: the recorded machines under
// tests/fixtures/windows/<machine>/ (see recorded_win_host.cpp for the layout), a snapshot of
// one (whole catalog, or one source), run natively through the same SnapshotTaker and budgets
// as on Windows.

#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "agent/collectors/snapshot_taker.hpp"
#include "agent/collectors/windows_sources/recorded_windows_machine.hpp"
#include "agent/collectors/windows_sources/windows_catalog.hpp"

namespace triage::agent::testing {

/// tests/fixtures/windows/<machine>: "win11-laptop" (a Windows 11 laptop with a worn battery
/// and a pending reboot), "server2022" (a Windows Server 2022 with a stopped automatic service
/// and a full volume).
inline std::string recorded_machine_dir(const std::string& machine) {
  return std::string(TRIAGE_FIXTURES_DIR) + "/windows/" + machine;
}

/// Every Windows source against a recorded machine.
inline v1::Snapshot recorded_snapshot(const std::string& machine) {
  return SnapshotTaker(SnapshotOptions{}, windows_collector_catalog(),
                       make_recorded_windows_machine(recorded_machine_dir(machine)))
      .take();
}

/// Only source `name` of the Windows catalog against a recorded machine.
inline v1::Snapshot recorded_collect(const std::string& machine, std::string_view name) {
  for (const auto& spec : windows_collector_catalog()) {
    if (spec.name != name) continue;
    return SnapshotTaker(SnapshotOptions{}, std::span<const CollectorSpec>(&spec, 1),
                         make_recorded_windows_machine(recorded_machine_dir(machine)))
        .take();
  }
  throw std::invalid_argument("no source named " + std::string(name) + " in the Windows catalog");
}

}  // namespace triage::agent::testing
