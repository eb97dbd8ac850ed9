#include "agent/actions/windows/session_explorer.hpp"

#include <tlhelp32.h>
#include <userenv.h>
#include <wtsapi32.h>

#include <cwchar>
#include <iterator>
#include <memory>
#include <type_traits>

#include "agent/actions/windows_shell_guard.hpp"
#include "shared/util/windows/wide_string.hpp"

namespace triage::agent {

namespace {

// A session holds one shell process, a few more with "separate process for folder windows";
// anything beyond this is not a state the action should act on blindly.
constexpr std::size_t kMaxProcesses = 64;

/// The file name of `relative` ("System32\winlogon.exe" -> "winlogon.exe").
std::wstring file_name_of(std::string_view relative) {
  const auto sep = relative.find_last_of("\\/");
  auto name = widen(sep == std::string_view::npos ? relative : relative.substr(sep + 1));
  return name ? *name : std::wstring();
}

/// The user SID of `token` (a TOKEN_USER buffer).
Result<std::vector<BYTE>> token_user(HANDLE token) {
  DWORD size = 0;
  ::GetTokenInformation(token, TokenUser, nullptr, 0, &size);
  if (size == 0 || size > 4096) return fail(last_error_text("GetTokenInformation(TokenUser)"));
  std::vector<BYTE> buffer(size);
  if (!::GetTokenInformation(token, TokenUser, buffer.data(), size, &size)) {
    return fail(last_error_text("GetTokenInformation(TokenUser)"));
  }
  return buffer;
}

PSID sid_of(const std::vector<BYTE>& token_user_buffer) {
  return reinterpret_cast<const TOKEN_USER*>(token_user_buffer.data())->User.Sid;
}

/// Whether `process` runs as `owner`; an error when its token cannot be read.
Result<bool> owned_by(HANDLE process, PSID owner) {
  HANDLE raw = nullptr;
  if (!::OpenProcessToken(process, TOKEN_QUERY, &raw)) {
    return fail(last_error_text("OpenProcessToken"));
  }
  UniqueHandle token(raw);
  auto user = token_user(token.get());
  if (!user) return tl::unexpected(user.error());
  return ::EqualSid(sid_of(*user), owner) != FALSE;
}

bool session_of(DWORD pid, DWORD session) {
  DWORD id = 0;
  return ::ProcessIdToSessionId(pid, &id) && id == session;
}

}  // namespace

Result<SessionProcesses> find_session_processes(DWORD session, const std::wstring& windows_dir,
                                                std::string_view relative, DWORD access,
                                                PSID owner) {
  const std::wstring file_name = file_name_of(relative);
  const std::string dir = narrow(windows_dir);
  UniqueHandle snapshot(::CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0));
  if (!snapshot.valid()) return fail(last_error_text("CreateToolhelp32Snapshot"));
  PROCESSENTRY32W entry{};
  entry.dwSize = sizeof entry;
  SessionProcesses result;
  for (bool more = ::Process32FirstW(snapshot.get(), &entry); more;
       more = ::Process32NextW(snapshot.get(), &entry)) {
    // The name only narrows the search; the image path read through the handle decides.
    const DWORD pid = entry.th32ProcessID;
    if (pid <= 4 || _wcsicmp(entry.szExeFile, file_name.c_str()) != 0) continue;
    if (!session_of(pid, session)) continue;
    UniqueHandle process(::OpenProcess(access | PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid));
    if (!process.valid()) {
      // Gone meanwhile: nothing to do. Anything else is said.
      if (::GetLastError() != ERROR_INVALID_PARAMETER) {
        result.skipped.push_back("process " + std::to_string(pid) + ": " +
                                 last_error_text("OpenProcess"));
      }
      continue;
    }
    // Asked again while the handle pins the pid: the session is this process's.
    DWORD exit_code = 0;
    if (!session_of(pid, session) || !::GetExitCodeProcess(process.get(), &exit_code) ||
        exit_code != STILL_ACTIVE) {
      continue;
    }
    wchar_t image[32768];
    DWORD size = static_cast<DWORD>(std::size(image));
    if (!::QueryFullProcessImageNameW(process.get(), 0, image, &size)) {
      result.skipped.push_back("process " + std::to_string(pid) + ": " +
                               last_error_text("QueryFullProcessImageNameW"));
      continue;
    }
    if (!is_windows_dir_image(narrow(std::wstring_view(image, size)), dir, relative)) continue;
    if (owner != nullptr) {
      auto mine = owned_by(process.get(), owner);
      if (!mine) {
        result.skipped.push_back("process " + std::to_string(pid) +
                                 ": cannot read its owner: " + mine.error().message);
        continue;
      }
      if (!*mine) continue;
    }
    if (result.found.size() == kMaxProcesses) {
      return fail("more than " + std::to_string(kMaxProcesses) + " " + std::string(relative) +
                  " processes in session " + std::to_string(session));
    }
    result.found.push_back({pid, std::move(process)});
  }
  return result;
}

Result<SessionUserToken> SessionUserToken::query(DWORD session) {
  SessionUserToken user;
  HANDLE raw = nullptr;
  if (!::WTSQueryUserToken(session, &raw)) {
    return fail("cannot get the token of the user of session " + std::to_string(session) +
                " (the agent must run as SYSTEM): " + last_error_text("WTSQueryUserToken"));
  }
  user.token_.reset(raw);
  auto sid = token_user(raw);
  if (!sid) return tl::unexpected(sid.error());
  user.user_ = std::move(*sid);
  for (auto kind : {WinLocalSystemSid, WinLocalServiceSid, WinNetworkServiceSid}) {
    if (::IsWellKnownSid(user.sid(), kind)) {
      return fail(ErrorCode::kDenied,
                  "session " + std::to_string(session) + " belongs to a system or service account");
    }
  }
  return user;
}

PSID SessionUserToken::sid() const { return sid_of(user_); }

Result<DWORD> start_as_session_user(const SessionUserToken& user, const std::wstring& program,
                                    HANDLE parent) {
  void* environment = nullptr;
  if (!::CreateEnvironmentBlock(&environment, user.token(), FALSE)) {
    return fail(last_error_text("CreateEnvironmentBlock"));
  }
  std::unique_ptr<void, decltype(&::DestroyEnvironmentBlock)> env_owner(environment,
                                                                        &::DestroyEnvironmentBlock);
  wchar_t profile[MAX_PATH];
  DWORD profile_size = MAX_PATH;
  const bool has_profile = ::GetUserProfileDirectoryW(user.token(), profile, &profile_size);

  SIZE_T list_size = 0;
  ::InitializeProcThreadAttributeList(nullptr, 1, 0, &list_size);
  std::vector<BYTE> list_buffer(list_size);
  auto* list = reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(list_buffer.data());
  if (!::InitializeProcThreadAttributeList(list, 1, 0, &list_size)) {
    return fail(last_error_text("InitializeProcThreadAttributeList"));
  }
  std::unique_ptr<std::remove_pointer_t<LPPROC_THREAD_ATTRIBUTE_LIST>,
                  decltype(&::DeleteProcThreadAttributeList)>
      list_owner(list, &::DeleteProcThreadAttributeList);
  if (!::UpdateProcThreadAttribute(list, 0, PROC_THREAD_ATTRIBUTE_PARENT_PROCESS, &parent,
                                   sizeof parent, nullptr, nullptr)) {
    return fail(last_error_text("UpdateProcThreadAttribute"));
  }

  STARTUPINFOEXW startup{};
  startup.StartupInfo.cb = sizeof startup;
  wchar_t desktop[] = L"winsta0\\default";
  startup.StartupInfo.lpDesktop = desktop;
  startup.lpAttributeList = list;
  // The program is named; the command line only repeats it, quoted, so nothing is searched for.
  std::wstring line = L"\"" + program + L"\"";
  PROCESS_INFORMATION info{};
  if (!::CreateProcessAsUserW(
          user.token(), program.c_str(), line.data(), nullptr, nullptr, FALSE,
          CREATE_UNICODE_ENVIRONMENT | EXTENDED_STARTUPINFO_PRESENT | NORMAL_PRIORITY_CLASS,
          environment, has_profile ? profile : nullptr, &startup.StartupInfo, &info)) {
    return fail(last_error_text("CreateProcessAsUserW"));
  }
  ::CloseHandle(info.hThread);
  ::CloseHandle(info.hProcess);
  return info.dwProcessId;
}

}  // namespace triage::agent
