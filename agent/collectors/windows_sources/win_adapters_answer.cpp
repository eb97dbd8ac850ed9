#include "agent/collectors/windows_sources/win_adapters_answer.hpp"

#include <algorithm>
#include <cctype>

#include "agent/collectors/windows_sources/win_values.hpp"

namespace triage::agent {
namespace {

constexpr std::size_t kMaxText = 256;

std::string bounded_text(const nlohmann::json& object, std::string_view key) {
  auto text = json_text(object, key);
  if (text.size() > kMaxText) text.resize(kMaxText);
  return text;
}

std::uint32_t uint32_of(const nlohmann::json& object, std::string_view key) {
  auto value = json_uint(object, key).value_or(0);
  return value > UINT32_MAX ? 0 : static_cast<std::uint32_t>(value);
}

bool is_ipv4(std::string_view s) {
  int parts = 0;
  std::size_t i = 0;
  while (i <= s.size()) {
    std::size_t end = s.find('.', i);
    if (end == std::string_view::npos) end = s.size();
    auto part = s.substr(i, end - i);
    if (part.empty() || part.size() > 3 ||
        !std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        std::stoi(std::string(part)) > 255) {
      return false;
    }
    ++parts;
    i = end + 1;
  }
  return parts == 4;
}

bool is_ipv6(std::string_view s) {
  if (s.size() < 2 || s.size() > 45 || s.find(':') == std::string_view::npos) return false;
  if (s.find("::") != s.rfind("::")) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
  });
}

std::string mac_text(std::string_view raw) {
  // GetAdaptersAddresses gives bytes; the gatherer writes them as hex pairs with any separator.
  std::string digits;
  for (char c : raw) {
    if (std::isxdigit(static_cast<unsigned char>(c)))
      digits += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (digits.size() != 12 || digits == "000000000000") return {};
  std::string out;
  for (std::size_t i = 0; i < digits.size(); i += 2) {
    if (!out.empty()) out += ':';
    out += digits.substr(i, 2);
  }
  return out;
}

std::vector<std::string> address_list(const nlohmann::json& adapter, std::string_view key) {
  std::vector<std::string> out;
  auto it = adapter.find(key);
  if (it == adapter.end() || !it->is_array()) return out;
  for (const auto& item : *it) {
    if (out.size() >= kMaxAdapterServers) break;
    if (!item.is_string()) continue;
    auto address = ip_address_text(item.get<std::string>());
    if (!address.empty() && std::find(out.begin(), out.end(), address) == out.end())
      out.push_back(std::move(address));
  }
  return out;
}

std::optional<WinAdapter> parse_adapter(const nlohmann::json& a) {
  if (!a.is_object()) return std::nullopt;
  WinAdapter adapter;
  adapter.name = bounded_text(a, "friendly_name");
  adapter.guid = bounded_text(a, "guid");
  if (adapter.name.empty()) adapter.name = adapter.guid;
  if (adapter.name.empty()) return std::nullopt;
  adapter.description = bounded_text(a, "description");
  adapter.if_index = uint32_of(a, "if_index");
  adapter.ipv6_if_index = uint32_of(a, "ipv6_if_index");
  adapter.if_type = uint32_of(a, "if_type");
  adapter.oper_status = uint32_of(a, "oper_status");
  adapter.mac = mac_text(bounded_text(a, "mac"));
  // ULONG64_MAX is GetAdaptersAddresses' "speed unknown".
  if (auto speed = json_uint(a, "transmit_link_speed"); speed && *speed != UINT64_MAX)
    adapter.transmit_bps = *speed;
  adapter.mtu = uint32_of(a, "mtu");
  adapter.dhcp = json_bool(a, "dhcpv4_enabled");
  adapter.ipv4_metric = uint32_of(a, "ipv4_metric");
  adapter.ipv6_metric = uint32_of(a, "ipv6_metric");
  if (auto it = a.find("unicast"); it != a.end() && it->is_array()) {
    for (const auto& u : *it) {
      if (adapter.unicast.size() >= kMaxAdapterAddresses) break;
      if (!u.is_object()) continue;
      WinAdapterAddress address;
      address.address = ip_address_text(json_text(u, "address"));
      if (address.address.empty()) continue;
      address.ipv6 = address.address.find(':') != std::string::npos;
      auto prefix = json_uint(u, "prefix_length").value_or(0);
      if (prefix > (address.ipv6 ? 128u : 32u)) continue;
      address.prefix_length = static_cast<std::uint32_t>(prefix);
      adapter.unicast.push_back(std::move(address));
    }
  }
  adapter.gateways = address_list(a, "gateways");
  adapter.dns_servers = address_list(a, "dns_servers");
  adapter.dns_suffix = bounded_text(a, "dns_suffix");
  return adapter;
}

}  // namespace

std::string ip_address_text(std::string_view text) {
  if (auto zone = text.find('%'); zone != std::string_view::npos) text = text.substr(0, zone);
  if (is_ipv4(text) || is_ipv6(text)) {
    std::string out(text);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  }
  return {};
}

Result<std::vector<WinAdapter>> parse_adapters_answer(const nlohmann::json& answer) {
  auto list = answer.is_object() ? answer.find("adapters") : answer.end();
  if (!answer.is_object() || list == answer.end() || !list->is_array())
    return fail(ErrorCode::kInvalid, "the adapters answer has no \"adapters\" list");
  std::vector<WinAdapter> adapters;
  for (const auto& item : *list) {
    if (adapters.size() >= kMaxAdapters) break;
    if (auto adapter = parse_adapter(item)) adapters.push_back(std::move(*adapter));
  }
  return adapters;
}

Result<std::vector<WinAdapter>> read_adapters(WinHost& win) {
  auto answer = win.api("adapters");
  if (!answer) return fail("reading the network adapters", answer.error());
  return parse_adapters_answer(*answer);
}

const WinAdapter* adapter_by_index(const std::vector<WinAdapter>& adapters, std::uint32_t index) {
  if (index == 0) return nullptr;
  for (const auto& a : adapters) {
    if (a.if_index == index || a.ipv6_if_index == index) return &a;
  }
  return nullptr;
}

}  // namespace triage::agent
