// Source: api "adapters" (GetAdaptersAddresses with gateways and prefixes: every adapter the
// stack knows, up or not, except disabled ones) and api "wlan" (windows_wifi.cpp). Windows; any
// user; two calls.
#include "agent/collectors/windows_sources/windows_adapters.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>

#include "agent/collectors/windows_sources/win_adapters_answer.hpp"
#include "agent/collectors/windows_sources/win_values.hpp"
#include "agent/collectors/windows_sources/windows_wifi.hpp"

namespace triage::agent {
namespace {

using v1::NetworkInterface;

// IANA ifType values GetAdaptersAddresses reports.
constexpr std::uint32_t kEthernet = 6;
constexpr std::uint32_t kPpp = 23;
constexpr std::uint32_t kLoopback = 24;
constexpr std::uint32_t kPropVirtual = 53;
constexpr std::uint32_t kIeee80211 = 71;
constexpr std::uint32_t kTunnel = 131;
constexpr std::uint32_t kWwanPp = 243;
constexpr std::uint32_t kWwanPp2 = 244;

// VPN clients install an adapter that claims to be Ethernet; its description names the client.
// (Cisco Secure Client is AnyConnect's newer name.)
constexpr std::string_view kVpnDescriptions[] = {"anyconnect",
                                                 "cisco secure client",
                                                 "cisco systems vpn",
                                                 "wireguard",
                                                 "wintun",
                                                 "globalprotect",
                                                 "pangp",
                                                 "tap-windows",
                                                 "openvpn",
                                                 "fortinet",
                                                 "forticlient",
                                                 "juniper",
                                                 "pulse secure"};
// Virtual switches, host-only networks and the Wi-Fi Direct helpers: no cable, no radio.
constexpr std::string_view kVirtualDescriptions[] = {"hyper-v virtual",    "virtualbox",
                                                     "vmware virtual",     "wi-fi direct virtual",
                                                     "multiplexor driver", "kernel debug"};
// System tunnels for IPv6 transition, not VPNs.
constexpr std::string_view kTransitionTunnels[] = {"teredo", "isatap", "6to4", "ip-https"};

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

template <std::size_t N>
bool names_any(const std::string& text, const std::string_view (&words)[N]) {
  return std::any_of(std::begin(words), std::end(words),
                     [&](std::string_view w) { return text.find(w) != std::string::npos; });
}

NetworkInterface::OperState oper_state(std::uint32_t status) {
  switch (status) {
    case 1:
      return NetworkInterface::UP;
    case 2:
      return NetworkInterface::DOWN;
    case 3:
      return NetworkInterface::TESTING;
    case 5:
      return NetworkInterface::DORMANT;
    case 6:
      return NetworkInterface::NOT_PRESENT;
    case 7:
      return NetworkInterface::LOWER_LAYER_DOWN;
    default:
      return NetworkInterface::OPER_UNKNOWN;
  }
}

}  // namespace

NetworkInterface::Kind adapter_kind(std::uint32_t if_type, std::string_view description) {
  auto text = lower(description);
  if (if_type == kLoopback) return NetworkInterface::LOOPBACK;
  if (names_any(text, kVpnDescriptions)) return NetworkInterface::VPN;
  if (names_any(text, kVirtualDescriptions)) return NetworkInterface::VIRTUAL;
  if (if_type == kTunnel && names_any(text, kTransitionTunnels)) return NetworkInterface::VIRTUAL;
  if (if_type == kPpp || if_type == kTunnel || if_type == kPropVirtual)
    return NetworkInterface::VPN;
  if (if_type == kIeee80211) return NetworkInterface::WIRELESS;
  if (if_type == kWwanPp || if_type == kWwanPp2) return NetworkInterface::CELLULAR;
  if (if_type == kEthernet) return NetworkInterface::ETHERNET;
  return NetworkInterface::KIND_UNKNOWN;
}

std::string address_scope(std::string_view address) {
  if (address == "::1" || address.starts_with("127.")) return "host";
  if (address.starts_with("169.254.") || address.starts_with("fe8") || address.starts_with("fe9") ||
      address.starts_with("fea") || address.starts_with("feb")) {
    return "link";
  }
  return "global";
}

Result<void> collect_windows_adapters(CollectContext& ctx, v1::Snapshot& out) {
  WinHost* win = windows_host(ctx);
  if (!win) return {};
  auto adapters = read_adapters(*win);
  if (!adapters) return tl::unexpected(adapters.error());
  auto* network = out.mutable_network();
  for (const auto& a : *adapters) {
    if (!ctx.within_budget()) return ctx.over_budget();
    auto* i = network->add_interfaces();
    i->set_name(a.name);
    i->set_description(a.description);
    i->set_kind(adapter_kind(a.if_type, a.description));
    i->set_mac(a.mac);
    i->set_state(oper_state(a.oper_status));
    // Windows has no carrier flag: an adapter is Down exactly when its medium is disconnected
    // (a disabled adapter is not listed at all).
    if (a.oper_status == 1 || a.oper_status == 2) i->set_carrier(a.oper_status == 1);
    if (a.transmit_bps && *a.transmit_bps >= 1'000'000 && *a.transmit_bps / 1'000'000 < 10'000'000)
      i->set_speed_mbps(static_cast<std::uint32_t>(*a.transmit_bps / 1'000'000));
    // The loopback's MTU is 0xFFFFFFFF: no limit, not a size.
    if (a.mtu != UINT32_MAX) i->set_mtu(a.mtu);
    for (const auto& u : a.unicast) {
      auto* ip = i->add_addresses();
      ip->set_address(u.address);
      ip->set_prefix_length(u.prefix_length);
      ip->set_ipv6(u.ipv6);
      ip->set_scope(address_scope(u.address));
    }
    for (const auto& g : a.gateways) i->add_gateways(g);
    for (const auto& s : a.dns_servers) i->add_dns_servers(s);
    i->set_dns_suffix(a.dns_suffix);
    if (a.dhcp) i->set_dhcp(*a.dhcp);
  }
  if (adapters->size() >= kMaxAdapters) ctx.note("adapters: only the first 64 kept");
  add_wifi_links(ctx, *win, *adapters, *network);
  return {};
}

}  // namespace triage::agent
