#pragma once
// Kernel log events from /dev/kmsg. Linux.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// An event of interest in the kernel log.
struct KmsgEvent {
  v1::KernelEvent::Kind kind = v1::KernelEvent::KIND_UNSPECIFIED;
  std::uint64_t usec_since_boot = 0;
  std::string message, process, device;
};
/// Events of /dev/kmsg records ("pri,seq,usec,flags;message").
std::vector<KmsgEvent> parse_kmsg(std::string_view text);
/// The kernel_log collector: OOM kills, I/O and filesystem errors, hung tasks, segfaults.
Result<void> collect_kernel_log(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
