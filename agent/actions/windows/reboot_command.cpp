// `triage-agent.exe reboot --delay-minutes N`: the reboot-windows action. Windows shows the
// notice to the logged-on users and restarts when the delay ends (applications are closed
// then, as `shutdown -r +N` does on Linux). The shutdown privilege is enabled in this process's
// token first (LocalSystem holds it, disabled).
#include "agent/actions/windows_action_commands.hpp"

#include "shared/util/windows/windows_api.hpp"

#include <string>

#include "shared/util/windows/unique_handle.hpp"
#include "shared/util/windows/wide_string.hpp"

namespace triage::agent {

namespace {

bool enable_shutdown_privilege(std::ostream& err) {
  HANDLE raw = nullptr;
  if (!::OpenProcessToken(::GetCurrentProcess(), TOKEN_ADJUST_PRIVILEGES | TOKEN_QUERY, &raw)) {
    err << "reboot: " << last_error_text("OpenProcessToken") << "\n";
    return false;
  }
  UniqueHandle token(raw);
  TOKEN_PRIVILEGES privileges{};
  privileges.PrivilegeCount = 1;
  privileges.Privileges[0].Attributes = SE_PRIVILEGE_ENABLED;
  if (!::LookupPrivilegeValueW(nullptr, L"SeShutdownPrivilege", &privileges.Privileges[0].Luid) ||
      !::AdjustTokenPrivileges(token.get(), FALSE, &privileges, 0, nullptr, nullptr) ||
      ::GetLastError() == ERROR_NOT_ALL_ASSIGNED) {
    err << "reboot: this account may not restart the computer (SeShutdownPrivilege)\n";
    return false;
  }
  return true;
}

}  // namespace

int run_reboot_windows(unsigned delay_minutes, std::ostream& out, std::ostream& err) {
  if (delay_minutes < 1 || delay_minutes > 60) {
    err << "reboot: the delay is 1 to 60 minutes, not " << delay_minutes << "\n";
    return 2;
  }
  if (!enable_shutdown_privilege(err)) return 2;
  std::wstring notice = L"The helpdesk will restart this computer in " +
                        std::to_wstring(delay_minutes) + L" minute(s). Please save your work now.";
  const DWORD reason =
      SHTDN_REASON_MAJOR_OTHER | SHTDN_REASON_MINOR_MAINTENANCE | SHTDN_REASON_FLAG_PLANNED;
  if (!::InitiateSystemShutdownExW(nullptr, notice.data(), delay_minutes * 60, TRUE, TRUE,
                                   reason)) {
    const DWORD error = ::GetLastError();
    if (error == ERROR_SHUTDOWN_IN_PROGRESS) {
      err << "reboot: a shutdown or restart is already under way\n";
      return 1;
    }
    err << "reboot: InitiateSystemShutdownExW: " << windows_error_text(error) << "\n";
    return 1;
  }
  out << "restart scheduled in " << delay_minutes << " minute(s); users see: " << narrow(notice)
      << "\n";
  return 0;
}

}  // namespace triage::agent
