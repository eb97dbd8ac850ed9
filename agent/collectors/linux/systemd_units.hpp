#pragma once
// systemd services and failed units. Linux.

#include <string_view>
#include <vector>

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// An ActiveState text ("active", "failed"...) to its enum.
v1::ServiceUnit::ActiveState unit_active_state(std::string_view s);
/// Lines of `systemctl list-units --no-legend --plain`: unit load active sub description.
std::vector<v1::ServiceUnit> parse_list_units(std::string_view text);
/// The systemd_units collector: system state, services and failed units.
Result<void> collect_systemd_units(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
