#include <catch2/catch.hpp>

#include "collector/metrics/collector_metrics.hpp"

using triage::collector::CollectorMetrics;

TEST_CASE("metrics render in the Prometheus text format") {
  CollectorMetrics m;
  m.connected_agents.Set(3);
  m.reports_stored.Increment(5);
  m.reports_duplicate.Increment();
  m.refusal("revoked").Increment();
  m.refusal("revoked").Increment();
  m.ingest_latency_seconds.Observe(0.002);
  auto text = m.render();
  CHECK_THAT(text, Catch::Contains("# TYPE triage_connected_agents gauge"));
  CHECK_THAT(text, Catch::Contains("triage_connected_agents 3"));
  CHECK_THAT(text, Catch::Contains("triage_reports_total{outcome=\"stored\"} 5"));
  CHECK_THAT(text, Catch::Contains("triage_reports_total{outcome=\"duplicate\"} 1"));
  CHECK_THAT(text, Catch::Contains("triage_refusals_total{reason=\"revoked\"} 2"));
  CHECK_THAT(text, Catch::Contains("triage_ingest_latency_seconds_bucket{le=\"0.0025\"} 1"));
}
