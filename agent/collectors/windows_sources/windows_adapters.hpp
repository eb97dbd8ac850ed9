#pragma once
// Network adapters: name, description, kind (VPN clients recognised), MAC, state, speed, MTU,
// addresses, gateways, DNS servers and suffix, DHCP, and Wi-Fi (windows_wifi.hpp).

#include <cstdint>
#include <string_view>

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// The kind of an adapter from its IANA ifType and description: virtual switches, VPN clients
/// and tunnels by what they are, not by the Ethernet type most of them claim.
v1::NetworkInterface::Kind adapter_kind(std::uint32_t if_type, std::string_view description);

/// The scope of an address as the Linux sources name it: "host", "link" or "global".
std::string address_scope(std::string_view address);

Result<void> collect_windows_adapters(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
