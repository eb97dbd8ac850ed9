#pragma once
// os-release(5): distribution name, id, version. Linux.

#include <string>
#include <string_view>

#include "agent/collectors/collect_context.hpp"
#include "shared/util/fs_root.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// Fields of os-release(5) the snapshot keeps.
struct OsRelease {
  std::string pretty_name, name, id, version_id, codename;
};
/// Parses os-release text (KEY=value lines, shell quoting).
OsRelease parse_os_release(std::string_view text);
/// /etc/os-release, else /usr/lib/os-release; empty fields when neither is readable.
OsRelease read_os_release(const FsRoot& fs);
/// The os_release collector: distribution name, id, version and codename.
Result<void> collect_os_release(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
