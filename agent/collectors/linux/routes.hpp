#pragma once
// Routing table and default gateways. Linux.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// One route from /proc/net/route or /proc/net/ipv6_route.
struct RouteEntry {
  std::string destination, interface, gateway;
  std::uint32_t metric = 0;
  bool ipv6 = false;
  bool is_default = false;
};
/// Routes of /proc/net/route text (little-endian hex addresses).
std::vector<RouteEntry> parse_proc_net_route(std::string_view text);
/// Routes of /proc/net/ipv6_route text.
std::vector<RouteEntry> parse_proc_net_ipv6_route(std::string_view text);
/// The routes collector: routes and the default gateways.
Result<void> collect_routes(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
