// Network interfaces: kind, MAC, state, carrier, speed, MTU, driver, error counters, addresses
// and Wi-Fi signal. Sources /sys/class/net/<if>/*, /proc/net/wireless, and the Host's address
// list (getifaddrs on a live machine). Linux; any user; a dozen tiny files per interface.
#include <algorithm>
#include <cmath>

#include "agent/collectors/linux/interfaces.hpp"
#include "agent/collectors/text.hpp"

namespace triage::agent {
namespace {

using v1::NetworkInterface;

NetworkInterface::OperState oper_state(std::string_view s) {
  if (s == "up") return NetworkInterface::UP;
  if (s == "down") return NetworkInterface::DOWN;
  if (s == "dormant") return NetworkInterface::DORMANT;
  if (s == "lowerlayerdown") return NetworkInterface::LOWER_LAYER_DOWN;
  if (s == "notpresent") return NetworkInterface::NOT_PRESENT;
  if (s == "testing") return NetworkInterface::TESTING;
  return NetworkInterface::OPER_UNKNOWN;
}

NetworkInterface::Kind kind_of(const FsRoot& fs, const std::string& dir, const std::string& name) {
  auto type = fs.read_uint(dir + "type").value_or(0);
  if (type == 772) return NetworkInterface::LOOPBACK;
  if (fs.exists(dir + "wireless") || fs.exists(dir + "phy80211")) return NetworkInterface::WIRELESS;
  if (fs.exists(dir + "bridge")) return NetworkInterface::BRIDGE;
  if (name.starts_with("wwan") || name.starts_with("ww")) return NetworkInterface::CELLULAR;
  // ARPHRD_NONE (tun, WireGuard) and PPP links carry VPNs.
  if (type == 65534 || type == 512 || name.starts_with("tun") || name.starts_with("wg"))
    return NetworkInterface::VPN;
  if (!fs.exists(dir + "device")) return NetworkInterface::VIRTUAL;
  if (type == 1) return NetworkInterface::ETHERNET;
  return NetworkInterface::KIND_UNKNOWN;
}

}  // namespace

std::vector<WirelessLink> parse_proc_net_wireless(std::string_view text) {
  std::vector<WirelessLink> out;
  for (auto line : split_lines(text)) {
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    auto f = split_ws(line.substr(colon + 1));
    if (f.size() < 3) continue;
    auto strip = [](std::string_view v) {
      return v.ends_with('.') ? v.substr(0, v.size() - 1) : v;
    };
    auto link = to_double(strip(f[1]));
    auto level = to_double(strip(f[2]));
    // The kernel writes a byte-sized level and a link quality of a few hundred at most; a
    // value beyond that (or not a number) is not a reading, and converting it would overflow.
    if (!link || !level || !std::isfinite(*link) || !std::isfinite(*level) ||
        std::abs(*level) > 512 || std::abs(*link) > 1e6) {
      continue;
    }
    WirelessLink w;
    w.interface = std::string(trim(line.substr(0, colon)));
    w.quality_percent = std::clamp(*link / 70.0 * 100.0, 0.0, 100.0);
    // Old drivers report level as an unsigned byte (dBm + 256).
    w.signal_dbm = static_cast<int>(*level > 63 ? *level - 256 : *level);
    out.push_back(std::move(w));
  }
  return out;
}

Result<void> collect_interfaces(CollectContext& ctx, v1::Snapshot& out) {
  const auto& fs = ctx.fs();
  auto names = fs.list_dir("/sys/class/net");
  if (!names) return fail(names.error().message);
  std::sort(names->begin(), names->end());
  std::vector<WirelessLink> wifi;
  if (auto w = fs.read("/proc/net/wireless", 64 * 1024)) wifi = parse_proc_net_wireless(*w);
  auto addresses = ctx.host().interface_addresses();
  if (!addresses) ctx.note("addresses: " + addresses.error().message);
  for (const auto& name : *names) {
    if (!ctx.within_budget()) return ctx.over_budget();
    std::string dir = "/sys/class/net/" + name + "/";
    if (!fs.exists(dir + "operstate")) continue;  // bonding_masters and other plain files
    auto* i = out.mutable_network()->add_interfaces();
    i->set_name(name);
    i->set_kind(kind_of(fs, dir, name));
    i->set_mac(fs.read_attr(dir + "address").value_or(""));
    i->set_state(oper_state(fs.read_attr(dir + "operstate").value_or("")));
    if (auto carrier = fs.read_uint(dir + "carrier")) i->set_carrier(*carrier == 1);
    // speed is -1 (or unreadable) when the link is down or the driver does not know.
    if (auto speed = to_int(fs.read_attr(dir + "speed").value_or(""));
        speed && *speed > 0 && *speed < 10'000'000) {
      i->set_speed_mbps(static_cast<std::uint32_t>(*speed));
    }
    i->set_mtu(static_cast<std::uint32_t>(fs.read_uint(dir + "mtu").value_or(0)));
    if (auto drv = fs.read_link(dir + "device/driver"))
      i->set_driver(std::string(drv->substr(drv->rfind('/') + 1)));
    i->set_rx_errors(fs.read_uint(dir + "statistics/rx_errors").value_or(0));
    i->set_tx_errors(fs.read_uint(dir + "statistics/tx_errors").value_or(0));
    for (const auto& w : wifi) {
      if (w.interface != name) continue;
      i->set_wifi_signal_dbm(w.signal_dbm);
      i->set_wifi_link_quality_percent(static_cast<float>(w.quality_percent));
    }
    if (addresses) {
      for (const auto& a : *addresses) {
        if (a.interface != name) continue;
        auto* ip = i->add_addresses();
        ip->set_address(a.address);
        ip->set_prefix_length(a.prefix_length);
        ip->set_ipv6(a.ipv6);
        ip->set_scope(a.scope);
      }
    }
  }
  return {};
}

}  // namespace triage::agent
