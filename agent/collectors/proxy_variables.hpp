#pragma once
// The proxy variables the proxy collector reads from the agent's own environment; a snapshot
// process started by the daemon gets them passed through. Each platform's proxy collector
// defines the list.

#include <span>
#include <string_view>

namespace triage::agent {

/// Names of the environment variables the proxy collector reports ("https_proxy"...).
std::span<const std::string_view> proxy_environment_variables();

}  // namespace triage::agent
