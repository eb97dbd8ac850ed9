#pragma once
// Settling volatile values before a delta: gauges that wander on every snapshot (memory in use,
// load, PSI averages, probe latencies, sensor readings, the top-process list...) keep the value
// last reported until they move materially, and counters with no diagnostic meaning in a delta
// (a process's CPU time, PSI stall totals, collector timings) keep theirs until something else
// about the same item changes. A settled value is never older than the last material change;
// when it moves past its threshold the fresh, exact value is reported.
//
// Pure and one-way: only `fresh` changes, and only by copying values from `reported`, so the
// delta from `reported` to the settled snapshot still rebuilds it exactly.

#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// How far a gauge may move before it is reported again.
struct SettleThresholds {
  /// Memory and swap in use, percentage points; and available memory, share of the reported.
  double memory_points = 2.0;
  double memory_available_share = 0.10;
  /// Filesystem space and inodes in use, percentage points; and free space, share.
  double filesystem_points = 1.0;
  double filesystem_free_share = 0.10;
  /// Per-process CPU (points of one core) and resident memory (share).
  double process_cpu_points = 10.0;
  double process_rss_share = 0.10;
  /// A process of a program not in the reported top list enters it from this CPU or memory
  /// share, percent.
  double process_material_percent = 2.0;
  /// Load averages: absolute, and share of the reported value.
  double load_absolute = 0.5;
  double load_share = 0.25;
  /// PSI averages, percentage points.
  double pressure_points = 2.0;
  /// Temperatures, degrees Celsius; fan speeds, share.
  double temperature_degrees = 3.0;
  double fan_share = 0.20;
  /// Probe latency: absolute milliseconds, and share.
  double latency_ms = 20.0;
  double latency_share = 0.5;
  /// Clock offset and maximum error, milliseconds (findings start at 1,000 ms).
  double clock_ms = 50.0;
};

/// Copies into `fresh` the `reported` value of every volatile field that has not moved
/// materially (see SettleThresholds) since it was reported.
void settle_volatile(const v1::Snapshot& reported, v1::Snapshot& fresh,
                     const SettleThresholds& limits = {});

}  // namespace triage::agent
