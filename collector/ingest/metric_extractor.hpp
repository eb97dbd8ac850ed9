#pragma once
// The small fixed set of metrics charted per device, read from a full snapshot at ingest:
//   cpu.load1  cpu.load5  cpu.load15        load averages
//   memory.used_pct  swap.used_pct          (total - available) / total, swap likewise
//   disk.<mount>.used_pct                   per local filesystem; `/` is `root`, `/home` is
//                                           `home`, `/var/log` is `var_log`
//   battery.health_pct  battery.charge_pct  first battery: full-charge over design capacity,
//                                           and current charge
// docs/api.md documents the same list for API users.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "triage/v1/snapshot.pb.h"

namespace triage::collector {

/// Filesystems charted per device at most (the first ones in snapshot order).
inline constexpr std::size_t kMaxChartedFilesystems = 32;

/// The metrics present in `snapshot`, by name.
std::vector<std::pair<std::string, double>> extract_metrics(const v1::Snapshot& snapshot);

/// The metric-name segment of a mount point ("/" -> "root", "/var/log" -> "var_log").
std::string mount_segment(std::string_view mount_point);

/// Whether `name` is a name extract_metrics() can produce (for validating API queries).
bool is_metric_name(std::string_view name);

}  // namespace triage::collector
