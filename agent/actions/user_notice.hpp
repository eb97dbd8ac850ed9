#pragma once
// The end-user notice before a medium- or high-risk action (agent local policy, off by
// default): a short message written to the terminal of every logged-in session listed in
// utmp, as `wall` does, without a shell or any helper program. Text from the order is reduced
// to printable ASCII so nothing the collector sends can drive a user's terminal.

#include <chrono>
#include <cstddef>
#include <string>

#include "triage/v1/order.pb.h"

namespace triage::agent {

/// The message: which action, ordered by whom, runs in how long.
std::string notice_text(const v1::OrderPayload& order, std::chrono::seconds delay);

/// Writes `text` once to each distinct terminal of a user session in `utmp_path` (utmp(5),
/// read with getutxent); returns how many terminals got it. A terminal that is not a character
/// device under /dev, or that would block, is skipped.
std::size_t send_user_notice(const std::string& utmp_path, const std::string& text);

}  // namespace triage::agent
