#pragma once
// Installed RPM packages via `rpm -qa`. Linux.

#include <string_view>
#include <vector>

#include "agent/collectors/collect_context.hpp"
#include "agent/collectors/linux/dpkg.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// Lines "name\tversion\tarch" as printed by our `rpm -qa --qf` format.
std::vector<DpkgEntry> parse_rpm_qa(std::string_view text);
/// The rpm collector: installed RPM packages.
Result<void> collect_rpm(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
