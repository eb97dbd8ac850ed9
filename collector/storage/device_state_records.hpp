#pragma once
// Records of a device's current state and its metric history. No SQL, no Protobuf: the
// snapshot travels as the serialized v1::Snapshot bytes.

#include <cstdint>
#include <string>
#include <vector>

#include "collector/storage/records.hpp"

namespace triage::collector {

/// A device's current full snapshot, kept materialized from its snapshot and delta reports.
struct DeviceState {
  std::string device_id;
  std::uint64_t seq = 0;       ///< the report the state reflects (a snapshot or the last delta)
  std::uint64_t base_seq = 0;  ///< the full snapshot the current chain of deltas started from
  TimePoint as_of;             ///< when the collector received report `seq`
  /// A delta could not be applied (a gap in the chain): the state stays at `seq`, the last
  /// consistent point, until a full snapshot arrives.
  bool stale = false;
  std::uint64_t gap_seq = 0;  ///< the first report that could not be applied (stale only)
  std::string snapshot;       ///< serialized v1::Snapshot; empty when read without it
};

/// One value of a named metric of a device at one time (see docs/api.md for the names).
struct MetricPoint {
  std::string device_id;
  std::string metric;
  TimePoint t;
  double value = 0;
};

/// A gap: the device's stored state stays as it is, marked stale from report `gap_seq` on.
struct StaleMark {
  std::string device_id;
  std::uint64_t gap_seq = 0;
};

/// One ingest transaction: the reports as received, plus what they change (device states
/// upserted whole, stale marks set, metric points inserted; an existing point at the same
/// time is kept).
struct IngestBatch {
  std::vector<StoredReport> reports;
  std::vector<DeviceState> states;
  std::vector<StaleMark> stale_marks;
  std::vector<MetricPoint> points;
};

/// What a retention pass deletes: deltas and metric points older than the cutoffs.
struct RetentionCutoffs {
  TimePoint deltas_before;
  TimePoint points_before;
  /// Rows deleted per transaction, so ingest never waits long behind a pass.
  std::size_t chunk = 5000;
};

struct RetentionResult {
  std::uint64_t deltas_deleted = 0;
  std::uint64_t points_deleted = 0;
};

}  // namespace triage::collector
