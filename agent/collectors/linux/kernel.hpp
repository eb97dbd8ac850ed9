#pragma once
// Kernel identity: hostname, kernel release and version, architecture, machine id. Linux.

#include <string>

#include "agent/collectors/collect_context.hpp"
#include "shared/util/fs_root.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// Hostname, kernel and machine identity from /proc/sys/kernel and /etc.
struct KernelIdentity {
  std::string hostname, release, version, arch, machine_id;
};
/// Reads the identity under `fs`; fields it cannot read stay empty.
KernelIdentity read_kernel_identity(const FsRoot& fs);
/// The kernel collector: hostname, kernel, architecture and machine id.
Result<void> collect_kernel(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
