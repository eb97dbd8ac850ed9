#include "collector/metrics/collector_metrics.hpp"

#include <prometheus/text_serializer.h>

namespace triage::collector {

namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

prometheus::Histogram::BucketBoundaries latency_buckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
}

// One family for all report outcomes; registered on first use, then looked up.
prometheus::Family<prometheus::Counter>& report_family(prometheus::Registry& r) {
  return BuildCounter().Name("triage_reports_total").Help("Reports by outcome").Register(r);
}

prometheus::Family<prometheus::Counter>& retention_family(prometheus::Registry& r) {
  return BuildCounter()
      .Name("triage_retention_deleted_total")
      .Help("Rows deleted by retention passes, by kind")
      .Register(r);
}

prometheus::Family<prometheus::Counter>& outbox_family(prometheus::Registry& r) {
  return BuildCounter()
      .Name("triage_outbox_attempts_total")
      .Help("Integration delivery attempts by outcome (delivered, retry, failed)")
      .Register(r);
}

}  // namespace

CollectorMetrics::CollectorMetrics() : CollectorMetrics(std::make_shared<prometheus::Registry>()) {}

CollectorMetrics::CollectorMetrics(std::shared_ptr<prometheus::Registry> r)
    : connected_agents(BuildGauge()
                           .Name("triage_connected_agents")
                           .Help("Agents with an open, acknowledged session")
                           .Register(*r)
                           .Add({})),
      messages_received(BuildCounter()
                            .Name("triage_agent_messages_total")
                            .Help("Frames received from agents")
                            .Register(*r)
                            .Add({})),
      bytes_received(BuildCounter()
                         .Name("triage_agent_bytes_total")
                         .Help("Bytes of frames received from agents")
                         .Register(*r)
                         .Add({})),
      reports_stored(report_family(*r).Add({{"outcome", "stored"}})),
      reports_duplicate(report_family(*r).Add({{"outcome", "duplicate"}})),
      reports_rejected(report_family(*r).Add({{"outcome", "rejected"}})),
      snapshot_gaps(BuildCounter()
                        .Name("triage_snapshot_gaps_total")
                        .Help("Deltas that did not apply; a full snapshot was requested")
                        .Register(*r)
                        .Add({})),
      ingest_queue_depth(BuildGauge()
                             .Name("triage_ingest_queue_depth")
                             .Help("Reports waiting for the database writer")
                             .Register(*r)
                             .Add({})),
      ingest_queue_bytes(BuildGauge()
                             .Name("triage_ingest_queue_bytes")
                             .Help("Bytes waiting for the database writer")
                             .Register(*r)
                             .Add({})),
      ingest_deferred_devices(BuildGauge()
                                  .Name("triage_ingest_deferred_devices")
                                  .Help("Devices with stored deltas not yet applied to their "
                                        "state (deferred under load)")
                                  .Register(*r)
                                  .Add({})),
      ingest_latency_seconds(BuildHistogram()
                                 .Name("triage_ingest_latency_seconds")
                                 .Help("Report received to committed")
                                 .Register(*r)
                                 .Add({}, latency_buckets())),
      commit_latency_seconds(BuildHistogram()
                                 .Name("triage_db_commit_seconds")
                                 .Help("Duration of one batched ingest transaction")
                                 .Register(*r)
                                 .Add({}, latency_buckets())),
      commit_batch_size(BuildHistogram()
                            .Name("triage_db_commit_batch_size")
                            .Help("Reports per ingest transaction")
                            .Register(*r)
                            .Add({}, prometheus::Histogram::BucketBoundaries{1, 2, 5, 10, 25, 50,
                                                                             100, 250, 500, 1000})),
      tls_handshakes(BuildCounter()
                         .Name("triage_tls_handshakes_total")
                         .Help("Completed TLS handshakes")
                         .Register(*r)
                         .Add({})),
      tls_resumed_handshakes(BuildCounter()
                                 .Name("triage_tls_resumed_handshakes_total")
                                 .Help("Completed TLS handshakes that resumed a session ticket")
                                 .Register(*r)
                                 .Add({})),
      open_files_limit(BuildGauge()
                           .Name("triage_open_files_limit")
                           .Help("Soft RLIMIT_NOFILE after raising it at start")
                           .Register(*r)
                           .Add({})),
      retention_runs(BuildCounter()
                         .Name("triage_retention_runs_total")
                         .Help("Retention passes, by result")
                         .Register(*r)
                         .Add({{"result", "ok"}})),
      retention_failures(BuildCounter()
                             .Name("triage_retention_runs_total")
                             .Help("Retention passes, by result")
                             .Register(*r)
                             .Add({{"result", "error"}})),
      retention_deltas_deleted(retention_family(*r).Add({{"kind", "delta"}})),
      retention_points_deleted(retention_family(*r).Add({{"kind", "metric_point"}})),
      outbox_pending(BuildGauge()
                         .Name("triage_outbox_pending")
                         .Help("Integration messages (webhooks) waiting for delivery")
                         .Register(*r)
                         .Add({})),
      outbox_delivered(outbox_family(*r).Add({{"outcome", "delivered"}})),
      outbox_failed(outbox_family(*r).Add({{"outcome", "failed"}})),
      outbox_retries(outbox_family(*r).Add({{"outcome", "retry"}})),
      audit_checkpoints(BuildCounter()
                            .Name("triage_audit_checkpoints_total")
                            .Help("Signed audit log checkpoints written")
                            .Register(*r)
                            .Add({})),
      registry_(std::move(r)),
      refusals_(BuildCounter()
                    .Name("triage_refusals_total")
                    .Help("Agent connections, agent messages or API requests refused, by reason")
                    .Register(*registry_)),
      http_requests_(BuildCounter()
                         .Name("triage_http_requests_total")
                         .Help("REST requests by status class")
                         .Register(*registry_)),
      audit_events_(BuildCounter()
                        .Name("triage_audit_events_total")
                        .Help("Audit events by result: recorded, failed, suppressed")
                        .Register(*registry_)) {
  // Exposed from the start, so an alert on failures has a series to watch.
  for (const char* result : {"recorded", "failed", "suppressed"}) audit_events(result);
}

prometheus::Counter& CollectorMetrics::refusal(const std::string& reason) {
  return refusals_.Add({{"reason", reason}});
}

prometheus::Counter& CollectorMetrics::http_request(const std::string& status_class) {
  return http_requests_.Add({{"status", status_class}});
}

prometheus::Counter& CollectorMetrics::audit_events(const std::string& result) {
  return audit_events_.Add({{"result", result}});
}

std::string CollectorMetrics::render() const {
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace triage::collector
