#pragma once
// The network gatherers behind WinHost::api() (shapes: windows_sources/win_api_names.hpp).
// Windows only.

#include <nlohmann/json.hpp>

#include "shared/util/result.hpp"

namespace triage::agent {

/// "adapters": GetAdaptersAddresses with gateways and prefixes.
Result<nlohmann::json> gather_adapters();
/// "routes": GetIpForwardTable2, both families.
Result<nlohmann::json> gather_routes();
/// "wlan": the WLAN API's interfaces and their connections; {"available": false, ...} when the
/// machine has no WLAN service.
Result<nlohmann::json> gather_wlan();
/// "winhttp_proxy": WinHttpGetDefaultProxyConfiguration.
Result<nlohmann::json> gather_winhttp_proxy();

}  // namespace triage::agent
