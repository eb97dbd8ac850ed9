#pragma once
// PostgreSQL: reports as received (de-duplicated by device and seq), each device's
// materialized state, its metric history, and retention by dropping whole days of deltas.

#include "collector/storage/postgres/pg_connector.hpp"
#include "collector/storage/postgres/pg_report_partitions.hpp"
#include "collector/storage/report_repository.hpp"

namespace triage::collector {

class PgReportRepository final : public ReportRepository {
 public:
  /// The advisory lock class of a device's reports (object: hashtext of the device id).
  static constexpr int kDeviceLockClass = 0x74726962;

  PgReportRepository(postgres::Connector& connector, PgReportPartitions& partitions)
      : connector_(connector), partitions_(partitions) {}

  Result<std::uint64_t> last_report_seq(std::string_view device_id) override;
  Result<bool> has_snapshot(std::string_view device_id) override;
  Result<std::optional<StoredReport>> latest_snapshot(std::string_view device_id) override;
  Result<std::optional<StoredReport>> snapshot_at_or_before(std::string_view device_id,
                                                            TimePoint t) override;
  Result<std::optional<StoredReport>> find_report(std::string_view device_id,
                                                  std::uint64_t seq) override;
  Result<std::optional<DeviceState>> device_state(std::string_view device_id,
                                                  bool with_snapshot) override;
  Result<std::map<std::string, DeviceState>> device_states(
      const std::vector<std::string>& device_ids, bool with_snapshot) override;
  Result<std::vector<MetricPoint>> metric_points(std::string_view device_id,
                                                 std::string_view metric, TimePoint since,
                                                 TimePoint until, std::size_t limit) override;
  Result<bool> store_report(const StoredReport& report) override;
  Result<std::vector<bool>> store_reports(const std::vector<StoredReport>& reports) override;
  Result<std::vector<bool>> store_ingest(const IngestBatch& batch) override;
  Result<RetentionResult> apply_retention(const RetentionCutoffs& cutoffs) override;

 private:
  Result<std::optional<StoredReport>> read_report(std::string_view device_id,
                                                  std::string_view where_sql,
                                                  postgres::Params params);
  /// Stores the reports not stored yet; element i is true when report i was stored now.
  Result<std::vector<bool>> insert_reports(postgres::Connection& conn,
                                           const std::vector<StoredReport>& reports);

  postgres::Connector& connector_;
  PgReportPartitions& partitions_;
};

}  // namespace triage::collector
