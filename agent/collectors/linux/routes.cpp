// Routing table and default gateways. Sources /proc/net/route (IPv4, little-endian hex) and
// /proc/net/ipv6_route. Linux; any user; two small files.
#include <arpa/inet.h>

#include <algorithm>
#include <bit>

#include "agent/collectors/linux/routes.hpp"
#include "agent/collectors/text.hpp"

namespace triage::agent {
namespace {

constexpr std::uint64_t kRouteUp = 0x1;
constexpr std::uint64_t kRouteGateway = 0x2;

std::string ipv4_from_proc_hex(std::uint32_t value) {
  // /proc/net/route prints the address in host (little-endian) byte order.
  in_addr a{};
  a.s_addr = value;
  char text[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &a, text, sizeof text);
  return text;
}

std::string ipv6_from_hex(std::string_view hex) {
  in6_addr a{};
  for (int i = 0; i < 16; ++i) {
    a.s6_addr[i] = static_cast<unsigned char>(
        to_uint(hex.substr(static_cast<std::size_t>(i) * 2, 2), 16).value_or(0));
  }
  char text[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET6, &a, text, sizeof text);
  return text;
}

}  // namespace

std::vector<RouteEntry> parse_proc_net_route(std::string_view text) {
  std::vector<RouteEntry> out;
  for (auto line : split_lines(text)) {
    auto f = split_ws(line);
    if (f.size() < 8 || f[0] == "Iface") continue;
    auto dest = to_uint(f[1], 16), gw = to_uint(f[2], 16), flags = to_uint(f[3], 16);
    auto metric = to_uint(f[6]), mask = to_uint(f[7], 16);
    if (!dest || !gw || !flags || !metric || !mask || !(*flags & kRouteUp)) continue;
    RouteEntry r;
    r.interface = std::string(f[0]);
    r.destination = ipv4_from_proc_hex(static_cast<std::uint32_t>(*dest)) + "/" +
                    std::to_string(std::popcount(static_cast<std::uint32_t>(*mask)));
    if (*flags & kRouteGateway) r.gateway = ipv4_from_proc_hex(static_cast<std::uint32_t>(*gw));
    r.metric = static_cast<std::uint32_t>(*metric);
    r.is_default = *mask == 0 && *dest == 0;
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<RouteEntry> parse_proc_net_ipv6_route(std::string_view text) {
  std::vector<RouteEntry> out;
  for (auto line : split_lines(text)) {
    auto f = split_ws(line);
    if (f.size() < 10 || f[0].size() != 32 || f[4].size() != 32) continue;
    auto prefix = to_uint(f[1], 16), metric = to_uint(f[5], 16), flags = to_uint(f[8], 16);
    if (!prefix || !metric || !flags || !(*flags & kRouteUp)) continue;
    if (f[9] == "lo") continue;  // local and unreachable routes live on lo
    RouteEntry r;
    r.ipv6 = true;
    r.interface = std::string(f[9]);
    r.destination = ipv6_from_hex(f[0]) + "/" + std::to_string(*prefix);
    if (r.destination.starts_with("ff00::/8")) continue;
    if (*flags & kRouteGateway) r.gateway = ipv6_from_hex(f[4]);
    r.metric = static_cast<std::uint32_t>(*metric);
    r.is_default = *prefix == 0;
    out.push_back(std::move(r));
  }
  return out;
}

Result<void> collect_routes(CollectContext& ctx, v1::Snapshot& out) {
  auto v4 = ctx.fs().read("/proc/net/route", 4 * 1024 * 1024);
  if (!v4) return fail(v4.error().message);
  auto routes = parse_proc_net_route(*v4);
  if (auto v6 = ctx.fs().read("/proc/net/ipv6_route", 4 * 1024 * 1024)) {
    auto more = parse_proc_net_ipv6_route(*v6);
    routes.insert(routes.end(), more.begin(), more.end());
  }
  auto* net = out.mutable_network();
  const RouteEntry* best4 = nullptr;
  const RouteEntry* best6 = nullptr;
  for (const auto& r : routes) {
    auto* route = net->add_routes();
    route->set_destination(r.destination);
    route->set_interface(r.interface);
    route->set_gateway(r.gateway);
    route->set_metric(r.metric);
    route->set_ipv6(r.ipv6);
    if (!r.is_default || r.gateway.empty()) continue;
    auto& best = r.ipv6 ? best6 : best4;
    if (!best || r.metric < best->metric) best = &r;
  }
  if (best4) {
    net->set_default_gateway(best4->gateway);
    net->set_default_interface(best4->interface);
  }
  if (best6) net->set_default_gateway_v6(best6->gateway);
  return {};
}

}  // namespace triage::agent
