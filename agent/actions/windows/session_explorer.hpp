#pragma once
// The processes of one session that restart-explorer deals with, and starting Explorer again:
// processes are found by their full image path in the Windows directory, their session and
// (for Explorer) their owner, never by name alone; Explorer is started with the signed-in
// user's own token on the user's desktop, no shell in between. Windows only; the user's token
// and starting a program for another user need SYSTEM.

#include "shared/util/windows/windows_api.hpp"

#include <string>
#include <string_view>
#include <vector>

#include "shared/util/result.hpp"
#include "shared/util/windows/unique_handle.hpp"

namespace triage::agent {

/// A process held open: Windows never reuses its pid while the handle is open.
struct SessionProcess {
  DWORD pid = 0;
  UniqueHandle process;
};

/// What find_session_processes() found, and what it had to leave aside with the reason.
struct SessionProcesses {
  std::vector<SessionProcess> found;
  std::vector<std::string> skipped;
};

/// The running processes of `session` whose image is `windows_dir`\`relative`
/// (windows_shell_guard.hpp's is_windows_dir_image), opened with `access` on top of
/// PROCESS_QUERY_LIMITED_INFORMATION; when `owner` is not null, only those whose token's user is
/// `owner` (another user's process there is not listed; one whose owner cannot be read is
/// skipped, with the reason). At most 64; fails when the process table cannot be read.
Result<SessionProcesses> find_session_processes(DWORD session, const std::wstring& windows_dir,
                                                std::string_view relative, DWORD access,
                                                PSID owner);

/// The primary token of the user signed in to a session, and that user's SID.
class SessionUserToken {
 public:
  /// WTSQueryUserToken (the caller must run as SYSTEM); refuses a token of the system or of a
  /// service account.
  static Result<SessionUserToken> query(DWORD session);

  HANDLE token() const { return token_.get(); }
  PSID sid() const;

 private:
  UniqueHandle token_;
  std::vector<BYTE> user_;  // TOKEN_USER
};

/// Starts `program` (a full path) as the token's user on `winsta0\default`, with the user's own
/// environment (CreateEnvironmentBlock) and profile folder, as a child of `parent`: so it belongs
/// to `parent`'s job, not to the job the agent runs the action in, which ends everything in it
/// when the action ends. The command line is the quoted path alone. Returns the new pid.
Result<DWORD> start_as_session_user(const SessionUserToken& user, const std::wstring& program,
                                    HANDLE parent);

}  // namespace triage::agent
