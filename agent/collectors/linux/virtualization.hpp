#pragma once
// Virtualisation (containers, hypervisors, WSL) and the init system. Linux.

#include <string>
#include <string_view>

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// Hypervisor name from DMI vendor/product strings ("" when not recognised).
std::string hypervisor_from_dmi(std::string_view vendor, std::string_view product);
/// The virtualization collector: container or hypervisor, and the init system.
Result<void> collect_virtualization(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
