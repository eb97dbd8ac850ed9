#pragma once
// Runs every rule of the catalog over one snapshot.

#include <vector>

#include "collector/findings/finding.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::collector {

/// The findings for `snapshot`, critical first, then by rule id, then by subject. `now` is the
/// evaluation time; it stands in for the snapshot's collection time when the snapshot carries
/// none. Data the snapshot lacks yields no finding. Never throws: a rule that fails internally
/// is skipped and logged.
std::vector<Finding> evaluate_findings(const v1::Snapshot& snapshot, TimePoint now);

}  // namespace triage::collector
