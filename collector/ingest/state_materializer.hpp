#pragma once
// Keeps each device's current full snapshot materialized, so reading it is one row. Before a
// batch of reports commits, works out what the batch changes: a full snapshot becomes the
// state; a delta whose base_seq is the state's seq is applied to it; any other delta is a gap:
// stored as received but not applied, the state stays at its last consistent point, marked
// stale, until a full snapshot heals it. Every new state also yields its metric points.
//
// Runs on the ingest writer thread, the only writer of states, so the states it reads cannot
// change before the batch commits.

#include <cstddef>
#include <vector>

#include "collector/storage/store.hpp"

namespace triage::collector {

/// What committing one report did to its device's state.
enum class StateEffect {
  kNone,     ///< not a snapshot/delta, a duplicate, or a delta arriving while already stale
  kApplied,  ///< the report is now the device's current state
  kGap,      ///< a delta that does not extend the state: stale from now on (ask for a snapshot)
};

class StateMaterializer {
 public:
  explicit StateMaterializer(Store& store, std::size_t max_report_bytes = 64 * 1024 * 1024)
      : store_(store), max_report_bytes_(max_report_bytes) {}

  /// The reports with the states and points they produce; `effects[i]` is report i's effect.
  /// An error (the store could not be read) fails the whole batch.
  Result<IngestBatch> prepare(std::vector<StoredReport> reports, std::vector<StateEffect>& effects);

 private:
  Store& store_;
  std::size_t max_report_bytes_;
};

}  // namespace triage::collector
