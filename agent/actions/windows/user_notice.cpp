// The user notice on Windows: a message box in every active session, sent by the service
// through the Terminal Services API (WTSSendMessageW), without waiting for anyone to click.
#include "agent/actions/user_notice.hpp"

#include "shared/util/windows/windows_api.hpp"

#include <wtsapi32.h>

#include <spdlog/spdlog.h>

#include "shared/util/windows/wide_string.hpp"

namespace triage::agent {

namespace {

// Seconds the box stays up unanswered; the action does not wait for it.
constexpr DWORD kNoticeSeconds = 300;

}  // namespace

std::size_t send_user_notice(const UserNoticePolicy& /*policy*/, const std::string& text) {
  auto message = widen(text);
  if (!message) return 0;
  std::wstring title = L"triage: helpdesk action";
  WTS_SESSION_INFOW* sessions = nullptr;
  DWORD count = 0;
  if (!::WTSEnumerateSessionsW(WTS_CURRENT_SERVER_HANDLE, 0, 1, &sessions, &count)) {
    spdlog::debug("user notice: {}", last_error_text("WTSEnumerateSessionsW"));
    return 0;
  }
  std::size_t sent = 0;
  for (DWORD i = 0; i < count; ++i) {
    // Session 0 holds services only; nobody sits in front of it.
    if (sessions[i].State != WTSActive || sessions[i].SessionId == 0) continue;
    DWORD response = 0;
    if (::WTSSendMessageW(WTS_CURRENT_SERVER_HANDLE, sessions[i].SessionId, title.data(),
                          static_cast<DWORD>(title.size() * sizeof(wchar_t)), message->data(),
                          static_cast<DWORD>(message->size() * sizeof(wchar_t)),
                          MB_OK | MB_ICONINFORMATION | MB_TOPMOST, kNoticeSeconds, &response,
                          FALSE)) {
      ++sent;
    } else {
      spdlog::debug("user notice: session {}: {}", sessions[i].SessionId,
                    last_error_text("WTSSendMessageW"));
    }
  }
  ::WTSFreeMemory(sessions);
  return sent;
}

}  // namespace triage::agent
