// System paths on Windows: state and configuration under %ProgramData%\triage, the local
// endpoint a named pipe. The ACL that keeps ProgramData\triage to SYSTEM and Administrators
// comes with the Windows service's change; this file only names the places.
#include <windows.h>

#include <shlobj.h>

#include "agent/state/system_paths.hpp"

namespace triage::agent {
namespace {

std::filesystem::path program_data() {
  PWSTR path = nullptr;
  std::filesystem::path out = L"C:\\ProgramData";
  if (::SHGetKnownFolderPath(FOLDERID_ProgramData, 0, nullptr, &path) == S_OK) out = path;
  ::CoTaskMemFree(path);
  return out;
}

}  // namespace

const SystemPaths& system_paths() {
  static const SystemPaths paths = [] {
    const auto base = program_data() / "triage";
    return SystemPaths{base / "state", base / "agent.toml", L"\\\\.\\pipe\\triage-agent"};
  }();
  return paths;
}

std::optional<std::filesystem::path> service_manager_ipc_endpoint() { return std::nullopt; }

}  // namespace triage::agent
