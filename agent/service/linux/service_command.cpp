// The service manager on Linux is systemd: the packages install and enable the unit
// (triage-agent.service), which runs `triage-agent run` in the foreground.
#include "agent/service/service_command.hpp"

#include <ostream>

namespace triage::agent {

int run_service_command(const std::string& action, std::ostream&, std::ostream& err) {
  err << "triage-agent: `service " << action
      << "` is for Windows; on Linux the package installs the systemd unit "
         "(systemctl enable --now triage-agent)\n";
  return 2;
}

int run_under_service_manager(const std::function<int()>& daemon) { return daemon(); }

}  // namespace triage::agent
