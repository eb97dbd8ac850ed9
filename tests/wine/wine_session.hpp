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

  /// argv that runs `program` (a file name of the Windows build's bin/) with `args`.
  std::vector<std::string> windows_program(const std::string& program,
                                           const std::vector<std::string>& args) const;

  /// argv that runs one of Wine's own programs (sc, msiexec, reg) under this prefix.
  std::vector<std::string> wine_program(const std::vector<std::string>& args) const;

  /// Where the prefix keeps drive C: on the host ("drive_c/ProgramData/triage", ...).
  std::filesystem::path drive_c() const { return prefix_ / "drive_c"; }

  /// The Windows spelling of a host path: Wine's drive Z: is the host's "/".
  static std::string windows_path(const std::filesystem::path& path);

 private:
  WineSession();
  std::filesystem::path prefix_;
};

}  // namespace triage::testing
