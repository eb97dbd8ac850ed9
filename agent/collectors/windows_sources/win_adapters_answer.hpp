#pragma once
// The "adapters" answer (GetAdaptersAddresses, win_api_names.hpp) read once into plain values,
// bounded and checked, for every network source that needs the adapters: the interfaces, the
// routes (interface names and metrics), DNS and the probes.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/collectors/windows_sources/win_host.hpp"
#include "shared/util/result.hpp"

namespace triage::agent {

/// One unicast address of an adapter.
struct WinAdapterAddress {
  std::string address;  ///< without a "%zone" suffix
  std::uint32_t prefix_length = 0;
  bool ipv6 = false;
};

/// One adapter as GetAdaptersAddresses describes it.
struct WinAdapter {
  std::string guid;                 ///< AdapterName: "{9A1E...}", the key the WLAN API uses
  std::string name;                 ///< FriendlyName: "Wi-Fi"
  std::string description;          ///< "Intel(R) Wi-Fi 6E AX211 160MHz"
  std::uint32_t if_index = 0;       ///< IPv4 interface index (IfIndex)
  std::uint32_t ipv6_if_index = 0;  ///< Ipv6IfIndex
  std::uint32_t if_type = 0;        ///< IANA ifType: 6 Ethernet, 71 802.11, 24 loopback...
  std::uint32_t oper_status = 0;    ///< IF_OPER_STATUS: 1 up, 2 down, ... 7 lower layer down
  std::string mac;                  ///< "a4:c3:f0:12:34:56", lower case; "" when none
  std::optional<std::uint64_t> transmit_bps;  ///< absent when unknown
  std::uint32_t mtu = 0;
  std::optional<bool> dhcp;  ///< Dhcpv4Enabled
  std::uint32_t ipv4_metric = 0;
  std::uint32_t ipv6_metric = 0;
  std::vector<WinAdapterAddress> unicast;
  std::vector<std::string> gateways;
  std::vector<std::string> dns_servers;
  std::string dns_suffix;

  bool up() const { return oper_status == 1; }
};

/// Caps on what one answer may hold; more is dropped (and reported by the caller).
inline constexpr std::size_t kMaxAdapters = 64;
inline constexpr std::size_t kMaxAdapterAddresses = 32;
inline constexpr std::size_t kMaxAdapterServers = 16;

/// The adapters of an "adapters" answer, in the answer's order. An answer that is not an object
/// with an "adapters" list is an error; a malformed adapter or address inside it is skipped, and
/// text that is not an IP address never becomes one.
Result<std::vector<WinAdapter>> parse_adapters_answer(const nlohmann::json& answer);

/// api("adapters") of `win`, parsed.
Result<std::vector<WinAdapter>> read_adapters(WinHost& win);

/// `text` when it is an IPv4 or IPv6 address (a "%zone" suffix dropped), else "".
std::string ip_address_text(std::string_view text);

/// The adapter whose IPv4 or IPv6 interface index is `index`, or null.
const WinAdapter* adapter_by_index(const std::vector<WinAdapter>& adapters, std::uint32_t index);

}  // namespace triage::agent
