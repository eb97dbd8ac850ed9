#pragma once
// Proxy settings: the agent's environment, /etc/environment and apt. Linux.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// VAR=value proxy lines of /etc/environment (values unredacted).
std::vector<std::pair<std::string, std::string>> parse_environment_proxies(std::string_view text);
/// Acquire::http::Proxy "url"; lines of apt configuration (values unredacted).
std::vector<std::pair<std::string, std::string>> parse_apt_proxies(std::string_view text);
/// The proxy collector: proxy settings, credentials redacted.
Result<void> collect_proxy(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
