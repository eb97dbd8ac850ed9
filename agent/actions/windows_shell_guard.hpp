#pragma once
// What the restart-explorer-windows action may touch, decided on the endpoint whatever the order
// says: which account names it takes, which signed-in session it picks for one, and which
// process images are "Explorer". Platform-neutral (the sessions and images come from the
// Terminal Services API and the process table on Windows: actions/windows/session_explorer.cpp),
// so the decisions are tested natively.
//
// A name is `user` or `DOMAIN\user` in the shape Windows gives a session's user (WTSUserName,
// WTSDomainName): plain ASCII letters, digits and `_ . -` (spaces inside a user name), a NetBIOS
// domain of at most 15 and a user of at most 20 characters. System and service accounts
// (SYSTEM, LOCAL SERVICE, NT AUTHORITY\..., NT SERVICE\..., DWM-n, UMFD-n, machine accounts
// ending in `$`) are refused: they have no desktop of their own.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "shared/util/result.hpp"

namespace triage::agent {

/// A Windows account as the technician names it; `domain` is empty for a bare user name.
struct WindowsAccount {
  std::string domain;
  std::string user;

  /// "DOMAIN\user" or "user".
  std::string shown() const;
};

/// The account named by `text`: kInvalid when it is not a `user` or `DOMAIN\user` name of the
/// shape above, kDenied when it names a system or service account.
Result<WindowsAccount> parse_windows_account(std::string_view text);

/// A session's state, as far as the action cares (WTS_CONNECTSTATE_CLASS).
enum class SessionState { kActive, kDisconnected, kOther };

/// One Terminal Services session and who is signed in to it (empty user: nobody).
struct UserSession {
  std::uint32_t id = 0;
  SessionState state = SessionState::kOther;
  std::string domain;
  std::string user;
};

/// The session whose Explorer the action restarts for `account`, among `sessions`: the one
/// session, active or disconnected (never session 0, where only services run), of the one
/// account the name matches (case-insensitively; a bare name matches any domain). With several
/// sessions of that account, the active one. kNotFound when the account has no such session
/// (the message lists who is signed in), kConflict when a bare name matches accounts of
/// several domains or the account has several sessions and not exactly one active.
Result<UserSession> choose_user_session(const WindowsAccount& account,
                                        const std::vector<UserSession>& sessions);

/// Whether `image_path` (a process's full image path) is exactly `windows_dir`\`relative`
/// ("explorer.exe", "System32\\winlogon.exe"), ignoring case and which slash separates the
/// parts (Windows paths compare that way). Never by file name alone.
bool is_windows_dir_image(std::string_view image_path, std::string_view windows_dir,
                          std::string_view relative);

}  // namespace triage::agent
