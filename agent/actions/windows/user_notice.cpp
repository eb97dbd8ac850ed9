// Placeholder for the user notice on Windows (WTSSendMessage to every active session), which
// comes in its own change. Until then no session is told: the count is 0, the order's output
// and the log say so, and the local policy's wait before the action still applies.
#include "agent/actions/user_notice.hpp"

#include <spdlog/spdlog.h>

namespace triage::agent {

std::size_t send_user_notice(const UserNoticePolicy&, const std::string&) {
  spdlog::warn("user notice: not available in this Windows build; no session was told");
  return 0;
}

}  // namespace triage::agent
