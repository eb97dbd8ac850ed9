// Sources: api "adapters" (each adapter's DNS servers and connection suffix), the registry's
// HKLM\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters (Domain, SearchList) and the Group
// Policy override HKLM\SOFTWARE\Policies\Microsoft\Windows NT\DNSClient (SearchList).
// Windows; any user; one call and two keys.
//
// Nameservers: the DNS Client asks the servers of the connected adapters, those of the adapter
// with the lowest interface metric first (a VPN's before the Wi-Fi's), so they are listed in
// that order, each once. A disconnected adapter's servers are not used, and the three
// site-local defaults fec0:0:0:ffff::1-3 that Windows shows on adapters without an IPv6 DNS
// server answer nothing: listing them would make every DNS probe against them fail.
//
// Search domains: a SearchList (policy first, then local) replaces everything else; without one
// the DNS Client appends the primary suffix (Domain) and each adapter's connection suffix.
#include "agent/collectors/windows_sources/windows_dns.hpp"

#include <algorithm>

#include "agent/collectors/windows_sources/win_adapters_answer.hpp"
#include "agent/collectors/windows_sources/win_values.hpp"

namespace triage::agent {
namespace {

constexpr std::size_t kMaxNameservers = 16;
constexpr std::size_t kMaxSearchDomains = 16;
constexpr std::size_t kMaxSuffix = 255;

bool site_local_default(std::string_view address) {
  return address == "fec0:0:0:ffff::1" || address == "fec0:0:0:ffff::2" ||
         address == "fec0:0:0:ffff::3";
}

void add_unique(std::vector<std::string>& list, std::string value, std::size_t cap) {
  if (value.empty() || value.size() > kMaxSuffix || list.size() >= cap) return;
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(std::move(value));
}

std::string trimmed(std::string_view s) {
  auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

/// The adapters the DNS Client uses, the lowest interface metric first.
std::vector<const WinAdapter*> connected_by_metric(const std::vector<WinAdapter>& adapters) {
  std::vector<const WinAdapter*> connected;
  for (const auto& a : adapters) {
    if (a.up() && a.if_type != 24) connected.push_back(&a);
  }
  std::stable_sort(connected.begin(), connected.end(),
                   [](const auto* a, const auto* b) { return a->ipv4_metric < b->ipv4_metric; });
  return connected;
}

}  // namespace

std::vector<std::string> windows_nameservers(const std::vector<WinAdapter>& adapters) {
  std::vector<std::string> servers;
  for (const auto* a : connected_by_metric(adapters)) {
    for (const auto& s : a->dns_servers) {
      if (!site_local_default(s)) add_unique(servers, s, kMaxNameservers);
    }
  }
  return servers;
}

std::vector<std::string> parse_search_list(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    add_unique(out, trimmed(text.substr(start, comma - start)), kMaxSearchDomains);
    start = comma + 1;
  }
  return out;
}

Result<void> collect_windows_dns(CollectContext& ctx, v1::Snapshot& out) {
  WinHost* win = windows_host(ctx);
  if (!win) return {};
  auto adapters = read_adapters(*win);
  if (!adapters) return tl::unexpected(adapters.error());
  auto* dns = out.mutable_network()->mutable_dns();
  dns->set_manager("Windows DNS Client");

  auto connected = connected_by_metric(*adapters);
  for (auto& s : windows_nameservers(*adapters)) dns->add_nameservers(s);

  if (!ctx.within_budget()) return ctx.over_budget();
  std::vector<std::string> search;
  for (std::string_view key : {"HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\DNSClient",
                               "HKLM\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters"}) {
    auto k = win->registry(key);
    if (!k || !search.empty()) continue;
    search = parse_search_list(k->text("SearchList"));
  }
  if (search.empty()) {
    if (auto params =
            win->registry("HKLM\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters")) {
      add_unique(search, trimmed(params->text("Domain")), kMaxSearchDomains);
    } else {
      ctx.note("no Tcpip parameters: " + params.error().message);
    }
    for (const auto* a : connected) add_unique(search, trimmed(a->dns_suffix), kMaxSearchDomains);
  }
  for (auto& s : search) dns->add_search_domains(s);
  return {};
}

}  // namespace triage::agent
