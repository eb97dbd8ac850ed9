#pragma once
// `triage-collector serve`: runs the collector until SIGINT/SIGTERM.

#include "collector/server/collector_config.hpp"
#include "collector/server/data_dir.hpp"

namespace triage::collector {

/// Serves until a stop signal. Startup problems are thrown as std::runtime_error with a
/// message for the operator; returns the process exit code otherwise.
int run_serve(const DataDir& dir, const CollectorConfig& config);

}  // namespace triage::collector
