// System paths on Linux: the FHS locations of the Debian package (installers/), and systemd's
// RuntimeDirectory=triage-agent for the daemon's socket.
#include <cstdlib>

#include "agent/state/system_paths.hpp"

namespace triage::agent {

const SystemPaths& system_paths() {
  static const SystemPaths paths{"/var/lib/triage-agent", "/etc/triage/agent.toml",
                                 "/run/triage-agent/agent.sock"};
  return paths;
}

std::optional<std::filesystem::path> service_manager_ipc_endpoint() {
  // systemd's RuntimeDirectory=triage-agent: a place every local user can reach.
  if (const char* runtime = std::getenv("RUNTIME_DIRECTORY");
      runtime != nullptr && *runtime == '/') {
    return std::filesystem::path(runtime) / "agent.sock";
  }
  return std::nullopt;
}

}  // namespace triage::agent
