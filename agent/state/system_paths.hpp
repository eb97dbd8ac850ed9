#pragma once
// Where this platform keeps the agent's state, its configuration and the local endpoint of the
// packaged service, and where the service manager gives the daemon a runtime directory.
// This header is the interface; each platform has one implementation (Linux:
// linux/system_paths.cpp, the FHS locations the Debian package uses).

#include <filesystem>
#include <optional>

namespace triage::agent {

/// The packaged service's default locations.
struct SystemPaths {
  /// Keys, enrollment, spool, action journal (`--state` overrides it).
  std::filesystem::path state_dir;
  /// Read when `--config` is not given and it exists.
  std::filesystem::path config_file;
  /// The packaged service's local endpoint for `get-help`.
  std::filesystem::path service_ipc_endpoint;
};

/// This platform's locations.
const SystemPaths& system_paths();

/// The daemon's own endpoint under a runtime directory the service manager created for it
/// (systemd's $RUNTIME_DIRECTORY); nullopt when it runs without one.
std::optional<std::filesystem::path> service_manager_ipc_endpoint();

}  // namespace triage::agent
