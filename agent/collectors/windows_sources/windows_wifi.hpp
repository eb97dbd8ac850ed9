#pragma once
// Wi-Fi facts of the WLAN API (api "wlan": WlanEnumInterfaces, WlanQueryInterface and the
// connected BSS): SSID, band, signal quality and strength, merged into the interfaces the
// adapters source reports. Not a catalog source of its own: the snapshot merges sources by
// appending, so the adapters source calls it for the interfaces it is building.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/collectors/collect_context.hpp"
#include "agent/collectors/windows_sources/win_adapters_answer.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// One connected Wi-Fi interface of the "wlan" answer.
struct WifiLink {
  std::string guid;  ///< the interface GUID, lower case, without braces
  std::string ssid;
  std::string band;  ///< "2.4 GHz", "5 GHz", "6 GHz" or "" when not known
  std::optional<float> quality_percent;
  std::optional<int> signal_dbm;
};

/// What the "wlan" answer says: the connected links, or why there are none to report.
struct WifiState {
  std::vector<WifiLink> links;
  /// "no WLAN service: ..." when the machine has none (a server, Wine); else "".
  std::string note;
};

/// The connected interfaces of a "wlan" answer (disconnected ones carry nothing to report).
Result<WifiState> parse_wlan_answer(const nlohmann::json& answer);

/// The band of a channel: the BSS centre frequency (kHz) decides; without it the channel number
/// does, except a number that also names a 6 GHz channel (1, 5, 9 ... 177) on a PHY that can use
/// 6 GHz (802.11ax, 802.11be): then "".
std::string wifi_band(std::optional<std::uint64_t> frequency_khz,
                      std::optional<std::uint64_t> channel, std::string_view phy_type);

/// A WLAN signal quality (0-100) as dBm, by the conversion the WLAN API documents for
/// WLAN_ASSOCIATION_ATTRIBUTES.wlanSignalQuality: 0 is -100 dBm, 100 is -50 dBm, linear between.
int wifi_quality_to_dbm(std::uint32_t quality_percent);

/// The "wlan" answer of `win` merged into the interfaces of `network` that `adapters` names (by
/// interface GUID). A machine without WLAN service gets a note, not an error.
void add_wifi_links(CollectContext& ctx, WinHost& win, const std::vector<WinAdapter>& adapters,
                    v1::NetworkInfo& network);

}  // namespace triage::agent
