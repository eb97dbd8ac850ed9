#pragma once
// The human summary of a snapshot printed by `triage-agent collect`: what a technician at the
// keyboard wants first (identity, resources, what is wrong), then the details, then which
// collectors could not report.

#include <ostream>

#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// Writes a plain-text report of `snapshot` to `out` (no colours, 100 columns).
void render_summary(const v1::Snapshot& snapshot, std::ostream& out);

/// "1.5 GiB", "812 KiB".
std::string human_bytes(std::uint64_t bytes);

}  // namespace triage::agent
