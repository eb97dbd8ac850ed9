// The one table of Win32 gatherers WinHost::api() dispatches to, by area. Each gatherer lives
// in the gather_<area>.cpp file of its area and is declared in that area's header.
#include <vector>

#include "agent/collectors/windows/gather_health.hpp"
#include "agent/collectors/windows/gather_network.hpp"
#include "agent/collectors/windows/gather_security.hpp"
#include "agent/collectors/windows/gather_software.hpp"
#include "agent/collectors/windows/gather_system.hpp"
#include "agent/collectors/windows/win_api_gatherers.hpp"
#include "agent/collectors/windows_sources/win_api_names.hpp"

namespace triage::agent {

std::span<const NamedGatherer> api_gatherers() {
  static const std::vector<NamedGatherer> kGatherers = {
      // ---------------------------------------------------------- system and hardware
      {"boot", &gather_boot},
      {"join_state", &gather_join_state},
      {"sessions", &gather_sessions},
      {"smbios", &gather_smbios},
      {"processors", &gather_processors},
      {"power_status", &gather_power_status},

      // ---------------------------------------------------------- software, services, processes
      {win_api::kWindowsUpdate, &gather_windows_update},
      {win_api::kServices, &gather_services},
      {win_api::kProcesses, &gather_processes},

      // ---------------------------------------------------------- network
      {"adapters", &gather_adapters},
      {"routes", &gather_routes},
      {"wlan", &gather_wlan},
      {"winhttp_proxy", &gather_winhttp_proxy},

      // ---------------------------------------------------------- health and security
      {"memory_status", &gather_memory_status},
      {"volumes", &gather_volumes},
      {"printers", &gather_printers},
      {win_api::kFirewall, &gather_firewall},
  };
  return kGatherers;
}

}  // namespace triage::agent
