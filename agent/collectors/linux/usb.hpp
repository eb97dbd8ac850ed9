#pragma once
// USB devices from sysfs. Linux.

#include <cstdint>
#include <string>

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// USB class code to its name ("Human Interface Device").
std::string usb_class_name(std::uint32_t code);
/// The usb collector: USB devices, root hubs left out.
Result<void> collect_usb(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
