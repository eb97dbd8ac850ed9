#pragma once
// The collector's Prometheus metrics (served at /metrics). One registry per process; the
// members are references into it, safe to update from any thread.

#include <memory>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace triage::collector {

class CollectorMetrics {
 public:
  CollectorMetrics();

  /// Text exposition format 0.0.4.
  std::string render() const;

  prometheus::Gauge& connected_agents;
  prometheus::Counter& messages_received;
  prometheus::Counter& bytes_received;
  prometheus::Counter& reports_stored;
  prometheus::Counter& reports_duplicate;
  prometheus::Counter& reports_rejected;
  prometheus::Counter& snapshot_gaps;
  prometheus::Gauge& ingest_queue_depth;
  prometheus::Gauge& ingest_queue_bytes;
  prometheus::Gauge& ingest_deferred_devices;
  prometheus::Histogram& ingest_latency_seconds;  ///< received → committed
  prometheus::Histogram& commit_latency_seconds;  ///< one batch transaction
  prometheus::Histogram& commit_batch_size;
  prometheus::Counter& tls_handshakes;
  prometheus::Counter& tls_resumed_handshakes;
  prometheus::Gauge& open_files_limit;
  prometheus::Counter& retention_runs;
  prometheus::Counter& retention_failures;
  prometheus::Counter& retention_deltas_deleted;
  prometheus::Counter& retention_points_deleted;
  prometheus::Gauge& outbox_pending;      ///< integration messages waiting for delivery
  prometheus::Counter& outbox_delivered;  ///< accepted by the receiver
  prometheus::Counter& outbox_failed;     ///< given up (an admin may redeliver)
  prometheus::Counter& outbox_retries;    ///< attempts that failed and were rescheduled
  prometheus::Counter& refusal(const std::string& reason);
  prometheus::Counter& http_request(const std::string& status_class);
  /// Audit events by result: "recorded", "failed" (not stored: see the log), "suppressed"
  /// (dropped by flood protection).
  prometheus::Counter& audit_events(const std::string& result);
  prometheus::Counter& audit_checkpoints;  ///< signed checkpoints written

 private:
  explicit CollectorMetrics(std::shared_ptr<prometheus::Registry> registry);
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& refusals_;
  prometheus::Family<prometheus::Counter>& http_requests_;
  prometheus::Family<prometheus::Counter>& audit_events_;
};

}  // namespace triage::collector
