#pragma once
// The security gatherers behind WinHost::api() (win_api_names.hpp gives each answer's shape).
// Windows only.

#include <nlohmann/json.hpp>

#include "shared/util/result.hpp"

namespace triage::agent {

/// "firewall": Windows Defender Firewall's current profiles (INetFwPolicy2), within 5 s.
Result<nlohmann::json> gather_firewall();

}  // namespace triage::agent
