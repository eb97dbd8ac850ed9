#include "agent/service/report_planner.hpp"

#include "agent/collectors/settle.hpp"
#include "shared/protocol/delta.hpp"

namespace triage::agent {

v1::AgentMessage snapshot_report(v1::Snapshot snapshot, std::string request_id) {
  v1::AgentMessage message;
  *message.mutable_snapshot()->mutable_snapshot() = std::move(snapshot);
  message.mutable_snapshot()->set_request_id(std::move(request_id));
  return message;
}

std::optional<PlannedReport> plan_report(const std::optional<spool::ChainState>& chain,
                                         v1::Snapshot fresh) {
  PlannedReport planned;
  if (!chain) {
    planned.message = snapshot_report(std::move(fresh));
    return planned;
  }
  // Gauges that only wandered keep their reported values: the delta carries what moved.
  settle_volatile(chain->snapshot, fresh);
  auto delta = protocol::diff_snapshots(chain->snapshot, fresh);
  if (protocol::delta_is_empty(delta)) return std::nullopt;
  // Each delta applies on the report just before it in the chain.
  delta.set_base_seq(chain->last_seq);
  *planned.message.mutable_delta()->mutable_delta() = std::move(delta);
  planned.chain_after = std::move(fresh);
  return planned;
}

}  // namespace triage::agent
