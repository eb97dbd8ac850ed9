#include "tests/wine/wine_session.hpp"

#include <cstdlib>
#include <stdexcept>

#include "tests/support/child_process.hpp"

namespace triage::testing {

WineSession& WineSession::shared() {
  static WineSession session;
  return session;
}

WineSession::WineSession() : prefix_(TRIAGE_WINE_PREFIX) {
  std::error_code ec;
  std::filesystem::remove_all(prefix_, ec);
  std::filesystem::create_directories(prefix_.parent_path(), ec);
  // Children inherit this process's environment (child_process.cpp).
  ::setenv("WINEPREFIX", prefix_.c_str(), 1);
  ::setenv("WINEDEBUG", "-all", 1);
  ::setenv("WINEARCH", "win64", 1);
  // No Mono or Gecko installer during the prefix's creation: nothing here needs .NET or HTML.
  ::setenv("WINEDLLOVERRIDES", "mscoree=;mshtml=", 1);
  ::unsetenv("DISPLAY");
  auto boot = run_command({TRIAGE_WINE64, "wineboot", "--init"}, prefix_.parent_path(), "",
                          std::chrono::seconds(180));
  if (boot.exit_code != 0) {
    throw std::runtime_error("wineboot --init failed (exit " + std::to_string(boot.exit_code) +
                             "): " + boot.err);
  }
  // wineboot returns while the prefix's first wineserver and services.exe are still winding
  // down; a service created then is lost when that services.exe exits (OpenServiceW right after
  // CreateServiceW said "does not exist"). Every test starts on a settled prefix.
  run_command({TRIAGE_WINESERVER, "-w"}, prefix_.parent_path(), "", std::chrono::seconds(60));
}

WineSession::~WineSession() {
  run_command({TRIAGE_WINESERVER, "-k"}, prefix_.parent_path(), "", std::chrono::seconds(30));
}

std::vector<std::string> WineSession::agent(const std::vector<std::string>& args) const {
  return windows_program("triage-agent.exe", args);
}

std::vector<std::string> WineSession::windows_program(const std::string& program,
                                                      const std::vector<std::string>& args) const {
  std::vector<std::string> argv{TRIAGE_WINE64, std::string(TRIAGE_WINDOWS_BIN_DIR) + "/" + program};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

std::vector<std::string> WineSession::wine_program(const std::vector<std::string>& args) const {
  std::vector<std::string> argv{TRIAGE_WINE64};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

std::string WineSession::windows_path(const std::filesystem::path& path) {
  std::string out = "Z:" + std::filesystem::absolute(path).string();
  for (auto& c : out) {
    if (c == '/') c = '\\';
  }
  return out;
}

}  // namespace triage::testing
