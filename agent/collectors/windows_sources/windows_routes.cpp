// Source: api "routes" (GetIpForwardTable2, both families) joined with api "adapters" for the
// interface names and metrics. Windows picks the route with the lowest route metric plus
// interface metric, so that sum is each route's metric here, as `route print` shows it, and
// the default gateway is the default route with the lowest sum on an adapter that is up. Without
// a routing table (Wine), the adapters' gateways stand in. Windows; any user; two calls.
#include "agent/collectors/windows_sources/windows_routes.hpp"

#include "agent/collectors/windows_sources/win_adapters_answer.hpp"
#include "agent/collectors/windows_sources/win_values.hpp"

namespace triage::agent {
namespace {

constexpr std::size_t kMaxRoutes = 512;

struct WinRoute {
  std::string destination;   // CIDR
  std::string gateway;       // "" when on-link
  std::uint32_t metric = 0;  // route + interface metric
  bool ipv6 = false;
  bool is_default = false;
  const WinAdapter* adapter = nullptr;
};

bool unspecified(std::string_view address) { return address == "0.0.0.0" || address == "::"; }

/// ff00::/8 and 224.0.0.0/4.
bool multicast(const std::string& address, bool ipv6) {
  if (ipv6) return address.starts_with("ff");
  int first_octet = std::stoi(address.substr(0, address.find('.')));
  return first_octet >= 224 && first_octet <= 239;
}

/// Routes worth reporting, as the Linux routes source reports its main table: no multicast, no
/// limited broadcast, nothing on the loopback, and no on-link host routes (Windows lists every
/// own address and subnet broadcast as one; Linux keeps those in a table it does not read).
std::optional<WinRoute> parse_route(const nlohmann::json& r,
                                    const std::vector<WinAdapter>& adapters) {
  if (!r.is_object()) return std::nullopt;
  auto destination = ip_address_text(json_text(r, "destination"));
  auto prefix = json_uint(r, "prefix_length");
  if (destination.empty() || !prefix) return std::nullopt;
  WinRoute route;
  route.ipv6 = destination.find(':') != std::string::npos;
  if (*prefix > (route.ipv6 ? 128u : 32u)) return std::nullopt;
  if (multicast(destination, route.ipv6)) return std::nullopt;
  if (destination == "255.255.255.255") return std::nullopt;
  auto next_hop = ip_address_text(json_text(r, "next_hop"));
  if (!unspecified(next_hop)) route.gateway = next_hop;
  if (route.gateway.empty() && *prefix == (route.ipv6 ? 128u : 32u)) return std::nullopt;
  route.adapter =
      adapter_by_index(adapters, static_cast<std::uint32_t>(std::min<std::uint64_t>(
                                     json_uint(r, "if_index").value_or(0), UINT32_MAX)));
  if (!route.adapter || route.adapter->if_type == 24) return std::nullopt;
  auto route_metric = std::min<std::uint64_t>(json_uint(r, "metric").value_or(0), 1'000'000);
  route.metric = static_cast<std::uint32_t>(
      route_metric + (route.ipv6 ? route.adapter->ipv6_metric : route.adapter->ipv4_metric));
  route.destination = destination + "/" + std::to_string(*prefix);
  route.is_default = *prefix == 0;
  return route;
}

/// The routes worth reporting and the default gateways they give.
struct Routing {
  std::vector<WinRoute> routes;
  WinDefaultGateways defaults;
};

void set_defaults_from_adapters(const std::vector<WinAdapter>& adapters,
                                WinDefaultGateways& defaults) {
  const WinAdapter* best4 = nullptr;
  const WinAdapter* best6 = nullptr;
  for (const auto& a : adapters) {
    if (!a.up()) continue;
    for (const auto& g : a.gateways) {
      bool v6 = g.find(':') != std::string::npos;
      auto& best = v6 ? best6 : best4;
      auto metric = v6 ? a.ipv6_metric : a.ipv4_metric;
      if (best && metric >= (v6 ? best->ipv6_metric : best->ipv4_metric)) continue;
      best = &a;
      if (v6) {
        defaults.ipv6 = g;
      } else {
        defaults.ipv4 = g;
        defaults.ipv4_interface = a.name;
      }
    }
  }
}

Result<Routing> read_routing(CollectContext& ctx, WinHost& win,
                             const std::vector<WinAdapter>& adapters) {
  Routing routing;
  auto answer = win.api("routes");
  auto list = answer && answer->is_object() ? answer->find("routes") : nlohmann::json::iterator{};
  if (!answer || !answer->is_object() || list == answer->end() || !list->is_array()) {
    ctx.note(answer ? "the routes answer has no \"routes\" list"
                    : "no routing table (" + answer.error().message + ")");
    ctx.note("default gateway from the adapters' gateways and interface metrics");
    set_defaults_from_adapters(adapters, routing.defaults);
    return routing;
  }
  for (const auto& item : *list) {
    if (!ctx.within_budget()) return ctx.over_budget();
    if (routing.routes.size() >= kMaxRoutes) {
      ctx.note("routes: only the first " + std::to_string(kMaxRoutes) + " kept");
      break;
    }
    if (auto route = parse_route(item, adapters)) routing.routes.push_back(std::move(*route));
  }
  const WinRoute* best4 = nullptr;
  const WinRoute* best6 = nullptr;
  for (const auto& r : routing.routes) {
    if (!r.is_default || r.gateway.empty() || !r.adapter->up()) continue;
    auto& best = r.ipv6 ? best6 : best4;
    if (!best || r.metric < best->metric) best = &r;
  }
  if (best4) {
    routing.defaults.ipv4 = best4->gateway;
    routing.defaults.ipv4_interface = best4->adapter->name;
  }
  if (best6) routing.defaults.ipv6 = best6->gateway;
  return routing;
}

}  // namespace

Result<WinDefaultGateways> windows_default_gateways(CollectContext& ctx, WinHost& win,
                                                    const std::vector<WinAdapter>& adapters) {
  auto routing = read_routing(ctx, win, adapters);
  if (!routing) return tl::unexpected(routing.error());
  return routing->defaults;
}

Result<void> collect_windows_routes(CollectContext& ctx, v1::Snapshot& out) {
  WinHost* win = windows_host(ctx);
  if (!win) return {};
  auto adapters = read_adapters(*win);
  if (!adapters) return tl::unexpected(adapters.error());
  auto routing = read_routing(ctx, *win, *adapters);
  if (!routing) return tl::unexpected(routing.error());
  auto* network = out.mutable_network();
  for (const auto& r : routing->routes) {
    auto* route = network->add_routes();
    route->set_destination(r.destination);
    route->set_interface(r.adapter->name);
    route->set_gateway(r.gateway);
    route->set_metric(r.metric);
    route->set_ipv6(r.ipv6);
  }
  network->set_default_gateway(routing->defaults.ipv4);
  network->set_default_interface(routing->defaults.ipv4_interface);
  network->set_default_gateway_v6(routing->defaults.ipv6);
  return {};
}

}  // namespace triage::agent
