#pragma once
// Pending and security updates from apt's update lists. Linux.

#include <string_view>
#include <vector>

#include "agent/collectors/collect_context.hpp"
#include "agent/collectors/linux/dpkg.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// Stanzas (name, version, arch) of an apt Packages list.
std::vector<DpkgEntry> parse_packages_list(std::string_view text);
/// The apt_updates collector: pending updates and how many are security updates.
Result<void> collect_apt_updates(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
