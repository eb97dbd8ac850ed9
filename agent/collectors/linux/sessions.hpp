#pragma once
// Logged-in users from the utmp database. Linux.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// One USER_PROCESS record of utmp.
struct UtmpSession {
  std::string user, tty, host;
  std::uint32_t pid = 0;
  std::int64_t login_unix_ms = 0;
};
/// Decodes utmp records; a trailing partial record is ignored.
std::vector<UtmpSession> parse_utmp(std::string_view data);
/// The sessions collector: user sessions whose process still exists.
Result<void> collect_sessions(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
