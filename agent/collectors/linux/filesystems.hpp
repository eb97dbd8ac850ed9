#pragma once
// Mounted filesystems with usage, inodes and options. Linux.

#include <string>
#include <string_view>
#include <vector>

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// One line of /proc/mounts, unescaped.
struct MountEntry {
  std::string device, mount_point, fs_type;
  std::vector<std::string> options;
};
/// The entries of /proc/mounts text.
std::vector<MountEntry> parse_mounts(std::string_view text);
/// proc, sysfs, tmpfs, cgroup...: not storage, never listed.
bool is_pseudo_filesystem(std::string_view fs_type);
/// nfs, cifs, sshfs...: listed, never statvfs'ed (a hung server would block).
bool is_network_filesystem(std::string_view fs_type);
/// The filesystems collector: mounted filesystems with usage and inodes.
Result<void> collect_filesystems(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
