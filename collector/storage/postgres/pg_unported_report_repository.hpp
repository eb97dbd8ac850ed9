#pragma once
// PostgreSQL, not ported yet: reports, device state and metrics. Every call fails with kUnavailable
// instead of crashing; the backend stays unselectable in open_store() until every area is ported.

#include "collector/storage/report_repository.hpp"

namespace triage::collector {

class PgUnportedReportRepository final : public ReportRepository {
 public:
  Result<std::uint64_t> last_report_seq(std::string_view) override { return unavailable(); }
  Result<bool> has_snapshot(std::string_view) override { return unavailable(); }
  Result<std::optional<StoredReport>> latest_snapshot(std::string_view) override {
    return unavailable();
  }
  Result<std::optional<StoredReport>> snapshot_at_or_before(std::string_view, TimePoint) override {
    return unavailable();
  }
  Result<std::optional<StoredReport>> find_report(std::string_view, std::uint64_t) override {
    return unavailable();
  }
  Result<std::optional<DeviceState>> device_state(std::string_view, bool) override {
    return unavailable();
  }
  Result<std::vector<MetricPoint>> metric_points(std::string_view, std::string_view, TimePoint,
                                                 TimePoint, std::size_t) override {
    return unavailable();
  }
  Result<bool> store_report(const StoredReport&) override { return unavailable(); }
  Result<std::vector<bool>> store_reports(const std::vector<StoredReport>&) override {
    return unavailable();
  }
  Result<std::vector<bool>> store_ingest(const IngestBatch&) override { return unavailable(); }
  Result<RetentionResult> apply_retention(const RetentionCutoffs&) override {
    return unavailable();
  }

 private:
  static tl::unexpected<Error> unavailable() {
    return fail(ErrorCode::kUnavailable, "reports: not yet supported by the PostgreSQL backend");
  }
};

}  // namespace triage::collector
