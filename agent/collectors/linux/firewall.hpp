#pragma once
// Host firewall: ufw, firewalld and the kernel ruleset. Linux.

#include <cstdint>
#include <string>
#include <string_view>

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// Rule count and input policy of a firewall ruleset.
struct NftSummary {
  bool valid = false;
  std::uint32_t rules = 0;
  std::string input_policy;
};
/// Summarises `nft -j list ruleset` output.
NftSummary parse_nft_json(std::string_view text);
/// Summarises `iptables-save` output.
NftSummary parse_iptables_save(std::string_view text);
/// The firewall collector: front-ends, rule count and input policy.
Result<void> collect_firewall(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
