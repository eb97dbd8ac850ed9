#pragma once
// `triage-collector serve`: runs the collector until SIGINT/SIGTERM.

#include <filesystem>
#include <string>

#include "collector/server/collector_config.hpp"
#include "collector/server/data_dir.hpp"

namespace triage::collector {

/// What SIGHUP reads again besides the `[staff_tls]` files.
struct ServeReload {
  /// The configuration file `config` came from ("" = none): its `[log]` levels are applied
  /// again; its other keys need a restart.
  std::filesystem::path config_file;
  /// `--log-level` when given: it keeps overriding `[log] level` at each reload.
  std::string log_level_flag;
};

/// Serves until a stop signal. Startup problems are thrown as std::runtime_error with a
/// message for the operator; returns the process exit code otherwise. On SIGHUP: the staff
/// listener's site certificate and the log levels are read again (see ServeReload).
/// `store` is the one `config.storage` names, opened for serving by the caller (which words the
/// failure to reach it for the operator: open_site_store()).
int run_serve(const DataDir& dir, const CollectorConfig& config, StorePtr store,
              const ServeReload& reload = {});

}  // namespace triage::collector
