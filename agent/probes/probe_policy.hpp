#pragma once
// What this endpoint's owner lets technicians probe (the `[probe_policy]` section of the
// agent's configuration, docs/agent.md): each probe can be switched off, and every probe
// counts against one rate bound for the device, whoever asks.

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace triage::agent {

struct ProbePolicy {
  /// Probes this endpoint refuses ("reach", "http_get", ...).
  std::vector<std::string> disabled;
  /// Probes accepted per minute, at most (a burst of as many, refilled evenly).
  std::uint32_t per_minute = 20;

  bool allows(std::string_view probe) const {
    return std::find(disabled.begin(), disabled.end(), probe) == disabled.end();
  }
};

}  // namespace triage::agent
