#pragma once
// Wine for the Windows agent's tests: one WINEPREFIX per test run (creating one takes about
// 13 s), made fresh under the build directory on first use, WINEDEBUG=-all, and ended with
// `wineserver -k` for that prefix when the run ends (only this prefix's Wine processes).

#include <filesystem>
#include <string>
#include <vector>

namespace triage::testing {

class WineSession {
 public:
  /// The run's session; creates the prefix on the first call (throws when Wine fails).
  static WineSession& shared();
  ~WineSession();
  WineSession(const WineSession&) = delete;
  WineSession& operator=(const WineSession&) = delete;

  /// argv that runs the cross-built triage-agent.exe with `args` under this prefix.
  std::vector<std::string> agent(const std::vector<std::string>& args) const;

  /// The Windows spelling of a host path: Wine's drive Z: is the host's "/".
  static std::string windows_path(const std::filesystem::path& path);

 private:
  WineSession();
  std::filesystem::path prefix_;
};

}  // namespace triage::testing
