// `triage-agent log-bundle`'s output, the same on every platform: the archive goes to standard
// output as raw bytes (never through std::cout, which Windows opens in text mode and would turn
// each "\n" byte of the gzip stream into "\r\n").
#include "agent/actions/log_bundle_command.hpp"

#include <exception>

#include "shared/util/standard_output.hpp"

namespace triage::agent {

int run_log_bundle(const LogBundleOptions& options, std::ostream& err) {
  try {
    auto bundle = build_log_bundle(options);
    if (!bundle) {
      err << "log-bundle: " << bundle.error().message << "\n";
      return 2;
    }
    if (!write_standard_output(*bundle)) {
      err << "log-bundle: cannot write the archive to standard output\n";
      return 2;
    }
    err << "log-bundle: " << bundle->size() << " bytes\n";
    return 0;
  } catch (const std::exception& e) {
    // The one failure boundary of the command: a file name the platform cannot convert, a
    // failed allocation.
    err << "log-bundle: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace triage::agent
