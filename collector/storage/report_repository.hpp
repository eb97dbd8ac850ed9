#pragma once
// Reports (at-least-once delivery, de-duplicated by device + seq), each device's
// materialized state and its metric history (kept by the ingest writer).
// Read through a ReadTx or a WriteTx (collector/storage/transaction.hpp); a read through a
// WriteTx sees that transaction's own writes.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collector/storage/device_state_records.hpp"
#include "collector/storage/records.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

/// The reads of this area.
class ReportReader {
 public:
  virtual ~ReportReader() = default;

  /// Highest seq committed for a device (0: none).
  virtual Result<std::uint64_t> last_report_seq(std::string_view device_id) = 0;
  /// Whether any full snapshot of the device is stored (cheap; no payload read).
  virtual Result<bool> has_snapshot(std::string_view device_id) = 0;
  /// The newest full snapshot report of a device, if any.
  virtual Result<std::optional<StoredReport>> latest_snapshot(std::string_view device_id) = 0;
  /// The newest full snapshot received at or before `t` (the "what changed" baseline).
  virtual Result<std::optional<StoredReport>> snapshot_at_or_before(std::string_view device_id,
                                                                    TimePoint t) = 0;
  /// One report by device and seq.
  virtual Result<std::optional<StoredReport>> find_report(std::string_view device_id,
                                                          std::uint64_t seq) = 0;
  /// The device's materialized state, if any; `with_snapshot` false leaves `snapshot` empty
  /// (cheap: the ingest writer's gap check).
  virtual Result<std::optional<DeviceState>> device_state(std::string_view device_id,
                                                          bool with_snapshot) = 0;
  /// device_state() for many devices in one read, keyed by device id; a device without a
  /// state has no entry. The ingest writer reads a batch's devices this way: one round trip
  /// to a networked store instead of one per device.
  virtual Result<std::map<std::string, DeviceState>> device_states(
      const std::vector<std::string>& device_ids, bool with_snapshot) = 0;
  /// Points of one metric with since <= t <= until, oldest first, at most `limit`.
  virtual Result<std::vector<MetricPoint>> metric_points(std::string_view device_id,
                                                         std::string_view metric, TimePoint since,
                                                         TimePoint until, std::size_t limit) = 0;
};

/// The reads and writes of this area, reached from a WriteTx.
class ReportRepository : public ReportReader {
 public:
  /// Commits the report unless (device, seq) is stored already. Returns true when stored
  /// now, false for a duplicate. Returning means durable: acknowledge only after it.
  virtual Result<bool> store_report(const StoredReport& report) = 0;
  /// The same for many reports in one transaction (all or none): element i is true when
  /// report i was stored now, false when it was a duplicate.
  virtual Result<std::vector<bool>> store_reports(const std::vector<StoredReport>& reports) = 0;
  /// Like store_reports, and in the same transaction upserts `batch.states` and inserts
  /// `batch.points`: a report and what it changed become durable together.
  virtual Result<std::vector<bool>> store_ingest(const IngestBatch& batch) = 0;
  /// Deletes deltas received before `cutoffs.deltas_before` and metric points older than
  /// `cutoffs.points_before`, in chunks. Never deletes a full snapshot, a delta after the
  /// device's newest full snapshot (needed to rebuild its newest state), or a report a ticket
  /// enrichment refers to.
  virtual Result<RetentionResult> apply_retention(const RetentionCutoffs& cutoffs) = 0;
};

}  // namespace triage::collector
