#pragma once
// Which report a fresh scheduled snapshot becomes: a full snapshot when there is no intact
// chain, a delta against the last reported state when something changed, or nothing.
// Pure: the caller stores the planned report and its chain state in the spool.

#include <optional>

#include "agent/spool/spool.hpp"
#include "triage/v1/envelope.pb.h"

namespace triage::agent {

/// A report ready for Spool::append (seq not yet set).
struct PlannedReport {
  v1::AgentMessage message;
  /// For a delta: the full state it leads to (becomes the chain's new state).
  std::optional<v1::Snapshot> chain_after;
};

/// Plans the report for `fresh` given the spool's chain (nullopt = none or broken). A delta is
/// taken after settle_volatile() against the chain's state, so gauges that did not move
/// materially are not reported. Returns nullopt when the chain is intact and nothing material
/// changed.
std::optional<PlannedReport> plan_report(const std::optional<spool::ChainState>& chain,
                                         v1::Snapshot fresh);

/// A full snapshot report, optionally answering a SnapshotRequest.
v1::AgentMessage snapshot_report(v1::Snapshot snapshot, std::string request_id = {});

}  // namespace triage::agent
