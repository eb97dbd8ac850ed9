// The network gatherers: GetAdaptersAddresses and GetIpForwardTable2 (iphlpapi), the WLAN API
// and WinHTTP's default proxy. wlanapi.dll and winhttp.dll are loaded at run time from System32:
// Windows Server has no wlanapi.dll unless the Wireless LAN Service feature is installed, and a
// static import would keep the agent from starting there. Every call is local (no network
// traffic) and returns promptly. Windows only.
#include <winsock2.h>
// ws2tcpip after winsock2, windows.h after both, iphlpapi last.
#include <ws2tcpip.h>
//
#include <windows.h>
//
#include <iphlpapi.h>
#include <netioapi.h>
#include <winhttp.h>
#include <wlanapi.h>
// A COM macro (`#define interface struct`) that breaks later headers.
#undef interface

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "agent/collectors/windows/gather_network.hpp"
#include "shared/util/windows/wide_string.hpp"

namespace triage::agent {
namespace {

using nlohmann::json;

// Far beyond any real machine; a runaway answer stops here.
constexpr std::size_t kMaxAdapters = 256;
constexpr std::size_t kMaxAddresses = 128;
constexpr std::size_t kMaxRoutes = 8192;
constexpr std::size_t kMaxWlanInterfaces = 32;

std::string wide_text(const wchar_t* text) { return text ? narrow(text) : std::string(); }

std::string address_text(const SOCKADDR* sa) {
  char text[INET6_ADDRSTRLEN] = {};
  if (sa == nullptr) return {};
  if (sa->sa_family == AF_INET) {
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, text, sizeof text);
  } else if (sa->sa_family == AF_INET6) {
    // Without the zone: the interface is known from the adapter the address belongs to.
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, text, sizeof text);
  }
  return text;
}

std::string hex_bytes(const unsigned char* bytes, std::size_t length) {
  std::string out;
  char pair[4];
  for (std::size_t i = 0; i < length; ++i) {
    std::snprintf(pair, sizeof pair, "%02x", bytes[i]);
    if (!out.empty()) out += ':';
    out += pair;
  }
  return out;
}

std::string guid_text(const GUID& g) {
  char text[40];
  std::snprintf(text, sizeof text, "{%08lX-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}",
                static_cast<unsigned long>(g.Data1), g.Data2, g.Data3, g.Data4[0], g.Data4[1],
                g.Data4[2], g.Data4[3], g.Data4[4], g.Data4[5], g.Data4[6], g.Data4[7]);
  return text;
}

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t extra = c < 0x80             ? 0
                        : (c & 0xE0) == 0xC0 ? 1
                        : (c & 0xF0) == 0xE0 ? 2
                        : (c & 0xF8) == 0xF0 ? 3
                                             : 4;
    if (extra == 4 || s.size() - i <= extra) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += extra + 1;
  }
  return true;
}

/// Valid UTF-8 as is; otherwise the bytes above ASCII as '?' (an SSID is any 32 bytes, and the
/// JSON answer must be UTF-8).
std::string utf8_or_ascii(const unsigned char* bytes, std::size_t length) {
  std::string text(reinterpret_cast<const char*>(bytes), length);
  if (!valid_utf8(text)) {
    for (auto& ch : text) {
      if (static_cast<unsigned char>(ch) >= 0x80) ch = '?';
    }
  }
  return text;
}

template <class Address>
json address_list(const Address* first) {
  json out = json::array();
  for (auto* a = first; a != nullptr && out.size() < kMaxAddresses; a = a->Next) {
    auto text = address_text(a->Address.lpSockaddr);
    if (!text.empty()) out.push_back(text);
  }
  return out;
}

/// A DLL of System32 and the functions asked of it; nothing when the DLL is absent.
class SystemLibrary {
 public:
  explicit SystemLibrary(const wchar_t* name)
      : module_(::LoadLibraryExW(name, nullptr, LOAD_LIBRARY_SEARCH_SYSTEM32)) {}
  ~SystemLibrary() {
    if (module_) ::FreeLibrary(module_);
  }
  SystemLibrary(const SystemLibrary&) = delete;
  SystemLibrary& operator=(const SystemLibrary&) = delete;

  bool loaded() const { return module_ != nullptr; }
  template <class Function>
  Function* find(const char* name) const {
    return module_ ? reinterpret_cast<Function*>(
                         reinterpret_cast<void*>(::GetProcAddress(module_, name)))
                   : nullptr;
  }

 private:
  HMODULE module_;
};

const char* wlan_state_name(WLAN_INTERFACE_STATE state) {
  switch (static_cast<int>(state)) {
    case 0:
      return "not_ready";
    case 1:
      return "connected";
    case 2:
      return "ad_hoc_network_formed";
    case 3:
      return "disconnecting";
    case 4:
      return "disconnected";
    case 5:
      return "associating";
    case 6:
      return "discovering";
    case 7:
      return "authenticating";
    default:
      return "unknown";
  }
}

// DOT11_PHY_TYPE by number: the SDK's newer values (vht, he, eht) are missing from older headers.
const char* phy_type_name(unsigned long type) {
  switch (type) {
    case 4:
      return "802.11a";
    case 5:
      return "802.11b";
    case 6:
      return "802.11g";
    case 7:
      return "802.11n";
    case 8:
      return "802.11ac";
    case 9:
      return "802.11ad";
    case 10:
      return "802.11ax";
    case 11:
      return "802.11be";
    default:
      return "";
  }
}

// DOT11_AUTH_ALGORITHM by number, for the same reason.
const char* auth_name(unsigned long algorithm) {
  switch (algorithm) {
    case 1:
      return "Open";
    case 2:
      return "Shared Key";
    case 3:
      return "WPA-Enterprise";
    case 4:
      return "WPA-Personal";
    case 6:
      return "WPA2-Enterprise";
    case 7:
      return "WPA2-Personal";
    case 8:
      return "WPA3-Enterprise 192-bit";
    case 9:
      return "WPA3-Personal";
    case 10:
      return "OWE";
    case 11:
      return "WPA3-Enterprise";
    default:
      return "";
  }
}

struct WlanFunctions {
  decltype(&::WlanOpenHandle) open = nullptr;
  decltype(&::WlanCloseHandle) close = nullptr;
  decltype(&::WlanEnumInterfaces) enum_interfaces = nullptr;
  decltype(&::WlanQueryInterface) query = nullptr;
  decltype(&::WlanGetNetworkBssList) bss_list = nullptr;
  decltype(&::WlanFreeMemory) free = nullptr;
};

/// The connection of one connected interface: SSID, BSSID, PHY, quality, rates, security; the
/// channel; and from the BSS list the connected BSS's RSSI and centre frequency.
void add_connection(const WlanFunctions& wlan, HANDLE handle, const GUID& guid, json& item) {
  DWORD size = 0;
  WLAN_CONNECTION_ATTRIBUTES* connection = nullptr;
  if (wlan.query(handle, &guid, wlan_intf_opcode_current_connection, nullptr, &size,
                 reinterpret_cast<PVOID*>(&connection), nullptr) != ERROR_SUCCESS ||
      connection == nullptr) {
    return;
  }
  const auto& association = connection->wlanAssociationAttributes;
  const auto& ssid = association.dot11Ssid;
  item["ssid"] =
      utf8_or_ascii(ssid.ucSSID, std::min<ULONG>(ssid.uSSIDLength, DOT11_SSID_MAX_LENGTH));
  item["bssid"] = hex_bytes(association.dot11Bssid, 6);
  item["phy_type"] = phy_type_name(static_cast<unsigned long>(association.dot11PhyType));
  item["signal_quality"] = association.wlanSignalQuality;
  item["rx_rate_kbps"] = association.ulRxRate;
  item["tx_rate_kbps"] = association.ulTxRate;
  item["auth"] =
      auth_name(static_cast<unsigned long>(connection->wlanSecurityAttributes.dot11AuthAlgorithm));
  DOT11_SSID wanted = ssid;
  DOT11_MAC_ADDRESS bssid;
  std::memcpy(bssid, association.dot11Bssid, sizeof bssid);
  BOOL secured = connection->wlanSecurityAttributes.bSecurityEnabled;
  wlan.free(connection);

  ULONG* channel = nullptr;
  size = 0;
  if (wlan.query(handle, &guid, wlan_intf_opcode_channel_number, nullptr, &size,
                 reinterpret_cast<PVOID*>(&channel), nullptr) == ERROR_SUCCESS &&
      channel != nullptr) {
    if (size >= sizeof(ULONG)) item["channel"] = *channel;
    wlan.free(channel);
  }

  WLAN_BSS_LIST* list = nullptr;
  if (wlan.bss_list(handle, &guid, &wanted, dot11_BSS_type_infrastructure, secured, nullptr,
                    &list) == ERROR_SUCCESS &&
      list != nullptr) {
    for (DWORD i = 0; i < list->dwNumberOfItems && i < 256; ++i) {
      const auto& entry = list->wlanBssEntries[i];
      if (std::memcmp(entry.dot11Bssid, bssid, sizeof bssid) != 0) continue;
      item["rssi_dbm"] = entry.lRssi;
      item["frequency_khz"] = entry.ulChCenterFrequency;
      break;
    }
    wlan.free(list);
  }
}

}  // namespace

Result<json> gather_adapters() {
  ULONG size = 32 * 1024;
  std::vector<unsigned char> buf;
  ULONG rc = ERROR_BUFFER_OVERFLOW;
  const ULONG flags = GAA_FLAG_INCLUDE_GATEWAYS | GAA_FLAG_INCLUDE_PREFIX | GAA_FLAG_SKIP_ANYCAST |
                      GAA_FLAG_SKIP_MULTICAST;
  // The list can grow between the sizing call and the next: retry a few times.
  for (int attempt = 0; attempt < 4 && rc == ERROR_BUFFER_OVERFLOW; ++attempt) {
    buf.resize(size);
    rc = ::GetAdaptersAddresses(AF_UNSPEC, flags, nullptr,
                                reinterpret_cast<IP_ADAPTER_ADDRESSES*>(buf.data()), &size);
  }
  json adapters = json::array();
  if (rc == ERROR_NO_DATA) return json{{"adapters", adapters}};
  if (rc != NO_ERROR) return fail("GetAdaptersAddresses: " + windows_error_text(rc));
  for (auto* a = reinterpret_cast<IP_ADAPTER_ADDRESSES*>(buf.data());
       a != nullptr && adapters.size() < kMaxAdapters; a = a->Next) {
    json item;
    item["guid"] = a->AdapterName ? std::string(a->AdapterName) : std::string();
    item["friendly_name"] = wide_text(a->FriendlyName);
    item["description"] = wide_text(a->Description);
    item["if_index"] = a->IfIndex;
    item["ipv6_if_index"] = a->Ipv6IfIndex;
    item["if_type"] = a->IfType;
    item["oper_status"] = static_cast<unsigned>(a->OperStatus);
    item["mac"] = hex_bytes(a->PhysicalAddress,
                            std::min<ULONG>(a->PhysicalAddressLength, MAX_ADAPTER_ADDRESS_LENGTH));
    item["transmit_link_speed"] = a->TransmitLinkSpeed;
    item["receive_link_speed"] = a->ReceiveLinkSpeed;
    item["mtu"] = a->Mtu;
    item["dhcpv4_enabled"] = (a->Flags & IP_ADAPTER_DHCP_ENABLED) != 0;
    item["ipv4_metric"] = a->Ipv4Metric;
    item["ipv6_metric"] = a->Ipv6Metric;
    json unicast = json::array();
    for (auto* u = a->FirstUnicastAddress; u != nullptr && unicast.size() < kMaxAddresses;
         u = u->Next) {
      // Tentative and duplicate addresses are not in use.
      if (u->DadState != IpDadStatePreferred && u->DadState != IpDadStateDeprecated) continue;
      auto text = address_text(u->Address.lpSockaddr);
      if (text.empty()) continue;
      unicast.push_back({{"address", text}, {"prefix_length", u->OnLinkPrefixLength}});
    }
    item["unicast"] = std::move(unicast);
    item["gateways"] = address_list(a->FirstGatewayAddress);
    item["dns_servers"] = address_list(a->FirstDnsServerAddress);
    item["dns_suffix"] = wide_text(a->DnsSuffix);
    adapters.push_back(std::move(item));
  }
  return json{{"adapters", std::move(adapters)}};
}

Result<json> gather_routes() {
  MIB_IPFORWARD_TABLE2* table = nullptr;
  DWORD rc = ::GetIpForwardTable2(AF_UNSPEC, &table);
  if (rc != NO_ERROR || table == nullptr)
    return fail("GetIpForwardTable2: " + windows_error_text(rc));
  json routes = json::array();
  for (ULONG i = 0; i < table->NumEntries && routes.size() < kMaxRoutes; ++i) {
    const auto& row = table->Table[i];
    auto destination =
        address_text(reinterpret_cast<const SOCKADDR*>(&row.DestinationPrefix.Prefix));
    auto next_hop = address_text(reinterpret_cast<const SOCKADDR*>(&row.NextHop));
    if (destination.empty()) continue;
    routes.push_back({{"destination", destination},
                      {"prefix_length", row.DestinationPrefix.PrefixLength},
                      {"next_hop", next_hop},
                      {"if_index", row.InterfaceIndex},
                      {"metric", row.Metric},
                      {"protocol", static_cast<unsigned>(row.Protocol)}});
  }
  ::FreeMibTable(table);
  return json{{"routes", std::move(routes)}};
}

Result<json> gather_wlan() {
  SystemLibrary dll(L"wlanapi.dll");
  if (!dll.loaded()) return json{{"available", false}, {"reason", "wlanapi.dll not present"}};
  WlanFunctions wlan;
  wlan.open = dll.find<std::remove_pointer_t<decltype(wlan.open)>>("WlanOpenHandle");
  wlan.close = dll.find<std::remove_pointer_t<decltype(wlan.close)>>("WlanCloseHandle");
  wlan.enum_interfaces =
      dll.find<std::remove_pointer_t<decltype(wlan.enum_interfaces)>>("WlanEnumInterfaces");
  wlan.query = dll.find<std::remove_pointer_t<decltype(wlan.query)>>("WlanQueryInterface");
  wlan.bss_list = dll.find<std::remove_pointer_t<decltype(wlan.bss_list)>>("WlanGetNetworkBssList");
  wlan.free = dll.find<std::remove_pointer_t<decltype(wlan.free)>>("WlanFreeMemory");
  if (!wlan.open || !wlan.close || !wlan.enum_interfaces || !wlan.query || !wlan.bss_list ||
      !wlan.free) {
    return json{{"available", false}, {"reason", "wlanapi.dll lacks the WLAN functions"}};
  }
  DWORD version = 0;
  HANDLE handle = nullptr;
  DWORD rc = wlan.open(2, nullptr, &version, &handle);
  if (rc == ERROR_SERVICE_NOT_ACTIVE || rc == ERROR_SERVICE_DOES_NOT_EXIST) {
    return json{{"available", false}, {"reason", "the WLAN AutoConfig service is not running"}};
  }
  if (rc != ERROR_SUCCESS) return fail("WlanOpenHandle: " + windows_error_text(rc));
  WLAN_INTERFACE_INFO_LIST* list = nullptr;
  rc = wlan.enum_interfaces(handle, nullptr, &list);
  if (rc != ERROR_SUCCESS || list == nullptr) {
    wlan.close(handle, nullptr);
    return fail("WlanEnumInterfaces: " + windows_error_text(rc));
  }
  json interfaces = json::array();
  for (DWORD i = 0; i < list->dwNumberOfItems && i < kMaxWlanInterfaces; ++i) {
    const auto& info = list->InterfaceInfo[i];
    json item;
    item["guid"] = guid_text(info.InterfaceGuid);
    item["description"] = wide_text(info.strInterfaceDescription);
    item["state"] = wlan_state_name(info.isState);
    if (info.isState == wlan_interface_state_connected)
      add_connection(wlan, handle, info.InterfaceGuid, item);
    interfaces.push_back(std::move(item));
  }
  wlan.free(list);
  wlan.close(handle, nullptr);
  return json{{"available", true}, {"interfaces", std::move(interfaces)}};
}

Result<json> gather_winhttp_proxy() {
  SystemLibrary dll(L"winhttp.dll");
  using GetDefault = BOOL WINAPI(WINHTTP_PROXY_INFO*);
  auto* get_default = dll.find<GetDefault>("WinHttpGetDefaultProxyConfiguration");
  if (!get_default) return fail(ErrorCode::kNotFound, "winhttp.dll is not available");
  WINHTTP_PROXY_INFO info{};
  if (!get_default(&info)) return fail(last_error_text("WinHttpGetDefaultProxyConfiguration"));
  json out;
  switch (info.dwAccessType) {
    case WINHTTP_ACCESS_TYPE_NO_PROXY:
      out["access_type"] = "no_proxy";
      break;
    case WINHTTP_ACCESS_TYPE_NAMED_PROXY:
      out["access_type"] = "named_proxy";
      break;
    case WINHTTP_ACCESS_TYPE_DEFAULT_PROXY:
      out["access_type"] = "default_proxy";
      break;
    default:
      out["access_type"] = std::to_string(info.dwAccessType);
  }
  out["proxy"] = wide_text(info.lpszProxy);
  out["bypass"] = wide_text(info.lpszProxyBypass);
  // The strings are the caller's, allocated with GlobalAlloc.
  if (info.lpszProxy) ::GlobalFree(info.lpszProxy);
  if (info.lpszProxyBypass) ::GlobalFree(info.lpszProxyBypass);
  return out;
}

}  // namespace triage::agent
