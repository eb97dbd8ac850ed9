// `triage-agent.exe service install|uninstall` (for use without the MSI) and the daemon under
// the Service Control Manager's dispatcher.
#include "agent/service/service_command.hpp"

#include <ostream>

#include <spdlog/spdlog.h>

#include "agent/service/own_executable.hpp"
#include "agent/service/windows/service_log_file.hpp"
#include "agent/service/windows/windows_service.hpp"
#include "agent/state/system_paths.hpp"

namespace triage::agent {

int run_service_command(const std::string& action, std::ostream& out, std::ostream& err) {
  if (action == "install") {
    ServiceInstallOptions options;
    options.executable = own_executable();
    if (options.executable.empty()) {
      err << "triage-agent: service install: cannot tell where this program is\n";
      return 1;
    }
    if (auto r = install_service(options); !r) {
      err << "triage-agent: service install: " << r.error().message
          << " (run it as an administrator)\n";
      return 1;
    }
    out << "service triage-agent registered: " << options.executable.string()
        << " run, LocalSystem, started at boot\n";
    return 0;
  }
  if (auto r = uninstall_service(); !r) {
    err << "triage-agent: service uninstall: " << r.error().message << "\n";
    return r.error().code == ErrorCode::kNotFound ? 3 : 1;
  }
  out << "service triage-agent stopped and removed; the state under %ProgramData%\\triage "
         "stays (enrollment, spool, history)\n";
  return 0;
}

int run_under_service_manager(const std::function<int()>& daemon) {
  const auto as_service = [&] {
    // No console under the SCM: the log goes to a file an administrator can read.
    if (auto r = log_to_service_file(system_paths().state_dir); !r) {
      spdlog::warn("the service's log stays on stderr only: {}", r.error().message);
    }
    return daemon();
  };
  if (auto code = run_as_windows_service(as_service)) return *code;
  return daemon();
}

}  // namespace triage::agent
