// System paths on Windows: state and configuration under %ProgramData%\triage (the folder is
// created by prepare_state_directory(), SYSTEM and Administrators only), the service's named
// pipe \\.\pipe\triage-agent. The Service Control Manager gives a service no runtime directory.
#include "shared/util/windows/windows_api.hpp"

#include <knownfolders.h>
#include <shlobj.h>

#include "agent/state/system_paths.hpp"

namespace triage::agent {

namespace {

std::filesystem::path program_data() {
  wchar_t* folder = nullptr;
  std::filesystem::path path = L"C:\\ProgramData";
  if (SUCCEEDED(::SHGetKnownFolderPath(FOLDERID_ProgramData, KF_FLAG_DEFAULT, nullptr, &folder))) {
    path = folder;
  }
  ::CoTaskMemFree(folder);
  return path;
}

}  // namespace

const SystemPaths& system_paths() {
  static const SystemPaths paths = [] {
    const auto state = program_data() / L"triage";
    return SystemPaths{state, state / L"agent.toml", L"\\\\.\\pipe\\triage-agent"};
  }();
  return paths;
}

std::optional<std::filesystem::path> service_manager_ipc_endpoint() { return std::nullopt; }

}  // namespace triage::agent
