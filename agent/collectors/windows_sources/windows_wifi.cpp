// Source: api "wlan" (wlanapi.dll: WlanEnumInterfaces, WlanQueryInterface current_connection
// and channel_number, WlanGetNetworkBssList for the connected BSS's RSSI and frequency).
// Windows with the WLAN AutoConfig service; any user; one call per wireless interface.
#include "agent/collectors/windows_sources/windows_wifi.hpp"

#include <algorithm>
#include <cctype>

#include "agent/collectors/windows_sources/win_values.hpp"

namespace triage::agent {
namespace {

constexpr std::size_t kMaxInterfaces = 16;
// An SSID is at most 32 bytes; the answer's text is bounded anyway.
constexpr std::size_t kMaxSsid = 32;

std::string guid_key(std::string_view guid) {
  std::string out;
  for (char c : guid) {
    if (c == '{' || c == '}') continue;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace

std::string wifi_band(std::optional<std::uint64_t> frequency_khz,
                      std::optional<std::uint64_t> channel, std::string_view phy_type) {
  if (frequency_khz && *frequency_khz > 0) {
    auto mhz = *frequency_khz / 1000;
    if (mhz >= 2400 && mhz < 2500) return "2.4 GHz";
    if (mhz >= 4900 && mhz < 5925) return "5 GHz";
    if (mhz >= 5925 && mhz <= 7125) return "6 GHz";
    return {};
  }
  if (!channel || *channel == 0) return {};
  // 6 GHz channel numbers are 1, 5, 9 ... 233: those below 178 name a 2.4 or 5 GHz channel
  // too, so on a PHY that can use 6 GHz only the frequency tells.
  bool six_ghz_capable = phy_type.find("ax") != std::string_view::npos ||
                         phy_type.find("be") != std::string_view::npos;
  bool six_ghz_number = *channel % 4 == 1 && *channel <= 233;
  if (*channel > 177) return six_ghz_number ? "6 GHz" : std::string();
  if (six_ghz_capable && six_ghz_number) return {};
  if (*channel <= 14) return "2.4 GHz";
  if (*channel >= 32) return "5 GHz";
  return {};
}

int wifi_quality_to_dbm(std::uint32_t quality_percent) {
  return static_cast<int>(std::min<std::uint32_t>(quality_percent, 100)) / 2 - 100;
}

Result<WifiState> parse_wlan_answer(const nlohmann::json& answer) {
  if (!answer.is_object()) return fail(ErrorCode::kInvalid, "the wlan answer is not an object");
  WifiState state;
  if (json_bool(answer, "available") == false) {
    auto reason = json_text(answer, "reason");
    if (reason.size() > 200) reason.resize(200);
    state.note = "no WLAN service" + (reason.empty() ? std::string() : ": " + reason);
    return state;
  }
  auto list = answer.find("interfaces");
  if (list == answer.end() || !list->is_array())
    return fail(ErrorCode::kInvalid, "the wlan answer has no \"interfaces\" list");
  for (const auto& item : *list) {
    if (state.links.size() >= kMaxInterfaces) break;
    if (!item.is_object() || json_text(item, "state") != "connected") continue;
    WifiLink link;
    link.guid = guid_key(json_text(item, "guid"));
    if (link.guid.empty() || link.guid.size() > 64) continue;
    link.ssid = json_text(item, "ssid");
    if (link.ssid.size() > kMaxSsid) link.ssid.resize(kMaxSsid);
    auto frequency = json_uint(item, "frequency_khz");
    auto channel = json_uint(item, "channel");
    link.band = wifi_band(frequency, channel, json_text(item, "phy_type"));
    if (auto quality = json_uint(item, "signal_quality"); quality && *quality <= 100) {
      link.quality_percent = static_cast<float>(*quality);
      link.signal_dbm = wifi_quality_to_dbm(static_cast<std::uint32_t>(*quality));
    }
    // The connected BSS's RSSI is a measurement; the quality conversion is only an estimate.
    if (auto rssi = item.find("rssi_dbm");
        rssi != item.end() && rssi->is_number_integer() && *rssi >= -127 && *rssi <= 0) {
      link.signal_dbm = rssi->get<int>();
    }
    state.links.push_back(std::move(link));
  }
  return state;
}

void add_wifi_links(CollectContext& ctx, WinHost& win, const std::vector<WinAdapter>& adapters,
                    v1::NetworkInfo& network) {
  auto answer = win.api("wlan");
  if (!answer) {
    ctx.note("Wi-Fi: " + answer.error().message);
    return;
  }
  auto state = parse_wlan_answer(*answer);
  if (!state) {
    ctx.note("Wi-Fi: " + state.error().message);
    return;
  }
  if (!state->note.empty()) ctx.note(state->note);
  for (const auto& link : state->links) {
    if (!ctx.within_budget()) return;
    auto adapter = std::find_if(adapters.begin(), adapters.end(),
                                [&](const WinAdapter& a) { return guid_key(a.guid) == link.guid; });
    if (adapter == adapters.end()) {
      ctx.note("Wi-Fi interface {" + link.guid + "} is not among the adapters");
      continue;
    }
    for (auto& i : *network.mutable_interfaces()) {
      if (i.name() != adapter->name) continue;
      i.set_wifi_ssid(link.ssid);
      i.set_wifi_band(link.band);
      if (link.quality_percent) i.set_wifi_link_quality_percent(*link.quality_percent);
      if (link.signal_dbm) i.set_wifi_signal_dbm(*link.signal_dbm);
    }
  }
}

}  // namespace triage::agent
