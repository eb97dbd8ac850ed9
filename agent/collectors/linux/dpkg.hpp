#pragma once
// Installed Debian packages from the dpkg database. Linux.

#include <string>
#include <string_view>
#include <vector>

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// A package as a package database lists it (dpkg, rpm, an apt Packages list).
struct DpkgEntry {
  std::string name, version, arch, state;
};
/// Whether a status-file stanza is a package on the machine (installed or partly installed),
/// not one that is gone or left only its configuration files.
bool is_present(const DpkgEntry& entry);
/// Packages of /var/lib/dpkg/status that are installed or partly installed (state kept).
std::vector<DpkgEntry> parse_dpkg_status(std::string_view text);
/// The dpkg collector: installed Debian packages.
Result<void> collect_dpkg(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
