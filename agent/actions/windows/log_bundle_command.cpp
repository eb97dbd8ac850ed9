// `triage-agent log-bundle` on Windows: the collect-log-bundle action reads the journal and
// /var/log and is a Linux action; the Windows bundle (event logs, libarchive) comes with the
// Windows diagnostics. Run by hand, it says so.
#include "agent/actions/log_bundle_command.hpp"

namespace triage::agent {

int run_log_bundle(const LogBundleOptions&, std::ostream&, std::ostream& err) {
  err << "log-bundle: not available on Windows (a Linux action)\n";
  return 2;
}

}  // namespace triage::agent
