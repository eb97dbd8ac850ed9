// `triage-agent.exe kill-process --pid N --name NAME` on Windows: the kill-process-windows
// action. A handle to process N is opened first and held: Windows never reuses a pid while a
// handle to its process is open, so the image name read through that handle and the
// termination that follows concern the same process. Refused: the processes of
// windows_process_guard.hpp by name, any process Windows marks critical (ending one is a blue
// screen), pid 0 and 4 (Idle and System), this command and the agent that started it.
// Exit 0 ended; 3 the name differs; 4 no such process (or it ended meanwhile); 2 refused or
// failed.
#include "agent/actions/kill_process_command.hpp"

#include "shared/util/windows/windows_api.hpp"

#include <tlhelp32.h>

#include "agent/actions/windows_process_guard.hpp"
#include "shared/util/windows/unique_handle.hpp"
#include "shared/util/windows/wide_string.hpp"

namespace triage::agent {

namespace {

/// The pid of this process's parent (the agent daemon when an order runs us), 0 if unknown.
DWORD parent_pid() {
  UniqueHandle snapshot(::CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0));
  if (!snapshot.valid()) return 0;
  PROCESSENTRY32W entry{};
  entry.dwSize = sizeof entry;
  const DWORD self = ::GetCurrentProcessId();
  for (bool more = ::Process32FirstW(snapshot.get(), &entry); more;
       more = ::Process32NextW(snapshot.get(), &entry)) {
    if (entry.th32ProcessID == self) return entry.th32ParentProcessID;
  }
  return 0;
}

/// IsProcessCritical (Windows 8.1 and later); false where the system cannot tell.
bool is_critical(HANDLE process) {
  using IsCriticalFn = BOOL(WINAPI*)(HANDLE, PBOOL);
  HMODULE kernel = ::GetModuleHandleW(L"kernel32.dll");
  if (kernel == nullptr) return false;
  auto fn = reinterpret_cast<IsCriticalFn>(
      reinterpret_cast<void*>(::GetProcAddress(kernel, "IsProcessCritical")));
  BOOL critical = FALSE;
  return fn != nullptr && fn(process, &critical) && critical;
}

}  // namespace

int run_kill_process(const FsRoot&, long pid, const std::string& expected_name, std::ostream& out,
                     std::ostream& err, const std::function<void()>& before_signal) {
  const DWORD self = ::GetCurrentProcessId();
  if (pid <= 4 || static_cast<DWORD>(pid) == self || static_cast<DWORD>(pid) == parent_pid()) {
    err << "kill-process: refusing pid " << pid << " (the system, this command or the agent)\n";
    return 2;
  }
  if (auto ok = check_killable_windows_image(expected_name); !ok) {
    err << ok.error().message << "\n";
    return 2;
  }
  UniqueHandle process(
      ::OpenProcess(PROCESS_TERMINATE | PROCESS_QUERY_LIMITED_INFORMATION | SYNCHRONIZE, FALSE,
                    static_cast<DWORD>(pid)));
  if (!process.valid()) {
    const DWORD error = ::GetLastError();
    if (error == ERROR_INVALID_PARAMETER) {
      err << "kill-process: no process " << pid << "\n";
      return 4;
    }
    err << "kill-process: cannot open process " << pid << ": " << windows_error_text(error) << "\n";
    return 2;
  }
  wchar_t image[32768];
  DWORD size = static_cast<DWORD>(std::size(image));
  if (!::QueryFullProcessImageNameW(process.get(), 0, image, &size)) {
    err << "kill-process: " << last_error_text("QueryFullProcessImageNameW") << "\n";
    return 2;
  }
  const std::string path = narrow(std::wstring_view(image, size));
  DWORD exit_code = 0;
  if (!::GetExitCodeProcess(process.get(), &exit_code) || exit_code != STILL_ACTIVE) {
    err << "kill-process: process " << pid << " has ended\n";
    return 4;
  }
  const std::string name(image_file_name(path));
  if (!same_image_name(path, expected_name)) {
    err << "kill-process: process " << pid << " is `" << name << "`, not `" << expected_name
        << "`; nothing done\n";
    return 3;
  }
  // The name checked may be the process's own claim; Windows' own mark is not.
  if (auto ok = check_killable_windows_image(name); !ok || is_critical(process.get())) {
    err << "kill-process: refusing to end " << name << " (" << pid
        << "): a critical system process\n";
    return 2;
  }
  if (before_signal) before_signal();
  if (!::TerminateProcess(process.get(), 1)) {
    const DWORD error = ::GetLastError();
    if (::GetExitCodeProcess(process.get(), &exit_code) && exit_code != STILL_ACTIVE) {
      err << "kill-process: process " << pid << " ended before it was terminated\n";
      return 4;
    }
    err << "kill-process: TerminateProcess: " << windows_error_text(error) << "\n";
    return 2;
  }
  const bool ended = ::WaitForSingleObject(process.get(), 5000) == WAIT_OBJECT_0;
  out << "terminated " << pid << " (" << path << ")" << (ended ? "" : "; still exiting after 5 s")
      << "\n";
  return 0;
}

}  // namespace triage::agent
