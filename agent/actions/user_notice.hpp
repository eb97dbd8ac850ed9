#pragma once
// The end-user notice before a medium- or high-risk action (agent local policy, off by
// default): a short message shown to every logged-in session. Text from the order is reduced
// to printable ASCII so nothing the collector sends can drive a user's terminal.
// send_user_notice() is the platform's part, one implementation per platform (Linux:
// linux/user_notice.cpp, the terminal of every session in utmp, as `wall` does, without a
// shell or any helper program; Windows: windows/user_notice.cpp, WTSSendMessageW to every
// active session, not waiting for a click).

#include <chrono>
#include <cstddef>
#include <string>

#include "agent/actions/action_policy.hpp"
#include "triage/v1/order.pb.h"

namespace triage::agent {

/// The message: which action, ordered by whom, runs in how long.
std::string notice_text(const v1::OrderPayload& order, std::chrono::seconds delay);

/// Shows `text` once to each logged-in session; returns how many got it. Linux: each distinct
/// terminal of a user session in `policy.utmp_path` (utmp(5), read with getutxent); a terminal
/// that is not a character device under /dev, or that would block, is skipped. Windows: each
/// active session but session 0 (services), as a message box the action does not wait for.
std::size_t send_user_notice(const UserNoticePolicy& policy, const std::string& text);

}  // namespace triage::agent
