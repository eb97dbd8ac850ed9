#pragma once
// Network interfaces, their addresses and Wi-Fi signal. Linux.

#include <string>
#include <string_view>
#include <vector>

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// One interface line of /proc/net/wireless.
struct WirelessLink {
  std::string interface;
  double quality_percent = 0;
  int signal_dbm = 0;
};
/// The interface lines of /proc/net/wireless text.
std::vector<WirelessLink> parse_proc_net_wireless(std::string_view text);
/// The interfaces collector: network interfaces with state, counters and addresses.
Result<void> collect_interfaces(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
