#pragma once
// triagectl's fleet commands: the device list, one device's fields, and findings grouped by
// rule across the fleet (as the endpoints report them: leads, not verdicts).

#include <string>

#include "collector/triagectl/ctl_actions.hpp"

namespace triage::ctl {

/// GET /api/v1/devices, only connected ones with `online`, hostnames containing `q`.
Result<void> list_devices(const ApiCall& api, bool online, const std::string& q, const Output& o);
/// GET /api/v1/devices/{id}.
Result<void> show_device(const ApiCall& api, const std::string& id, const Output& o);
/// GET /api/v1/findings, first seen at or after `since` (RFC 3339; "" = all).
Result<void> list_findings(const ApiCall& api, const std::string& since, const Output& o);

}  // namespace triage::ctl
