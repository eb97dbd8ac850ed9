#pragma once
// The routing table and the default gateways (IPv4 and IPv6) with the interface they leave by.

#include <string>
#include <vector>

#include "agent/collectors/collect_context.hpp"
#include "agent/collectors/windows_sources/win_adapters_answer.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// The default gateways Windows uses, each "" when there is none.
struct WinDefaultGateways {
  std::string ipv4;
  std::string ipv4_interface;  ///< the adapter's friendly name
  std::string ipv6;
};

/// The default route with the lowest route plus interface metric on an adapter that is up, from
/// the routing table (api "routes"), or from the adapters' gateways without one (a note says so).
Result<WinDefaultGateways> windows_default_gateways(CollectContext& ctx, WinHost& win,
                                                    const std::vector<WinAdapter>& adapters);

Result<void> collect_windows_routes(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
