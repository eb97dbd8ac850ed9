#include "agent/actions/windows/user_sessions.hpp"

#include "shared/util/windows/windows_api.hpp"

#include <wtsapi32.h>

#include <cwchar>

#include "shared/util/windows/wide_string.hpp"

namespace triage::agent {

namespace {

// Far beyond a Remote Desktop host's sessions; bounds the work whatever the system answers.
constexpr DWORD kMaxSessions = 1024;

/// A text fact of `session`; empty when the system gives none.
std::string session_text(DWORD session, WTS_INFO_CLASS what) {
  LPWSTR value = nullptr;
  DWORD bytes = 0;
  if (!::WTSQuerySessionInformationW(WTS_CURRENT_SERVER_HANDLE, session, what, &value, &bytes)) {
    return {};
  }
  std::string text;
  if (value != nullptr && bytes >= sizeof(wchar_t)) {
    text = narrow(std::wstring_view(value, ::wcsnlen(value, bytes / sizeof(wchar_t))));
  }
  ::WTSFreeMemory(value);
  return text;
}

SessionState session_state(WTS_CONNECTSTATE_CLASS state) {
  switch (state) {
    case WTSActive:
      return SessionState::kActive;
    case WTSDisconnected:
      return SessionState::kDisconnected;
    default:
      return SessionState::kOther;
  }
}

}  // namespace

Result<std::vector<UserSession>> list_user_sessions() {
  WTS_SESSION_INFOW* sessions = nullptr;
  DWORD count = 0;
  if (!::WTSEnumerateSessionsW(WTS_CURRENT_SERVER_HANDLE, 0, 1, &sessions, &count)) {
    return fail(last_error_text("WTSEnumerateSessionsW"));
  }
  std::vector<UserSession> list;
  for (DWORD i = 0; i < count && i < kMaxSessions; ++i) {
    UserSession s;
    s.id = sessions[i].SessionId;
    s.state = session_state(sessions[i].State);
    if (s.state != SessionState::kOther) {
      s.user = session_text(s.id, WTSUserName);
      s.domain = session_text(s.id, WTSDomainName);
    }
    list.push_back(std::move(s));
  }
  ::WTSFreeMemory(sessions);
  return list;
}

}  // namespace triage::agent
