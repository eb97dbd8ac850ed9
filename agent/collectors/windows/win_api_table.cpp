// The one table of Win32 gatherers WinHost::api() dispatches to, by area. Each gatherer lives
// in the gather_<area>.cpp file of its area and is declared in that area's header.
#include <vector>

#include "agent/collectors/windows/gather_security.hpp"
#include "agent/collectors/windows/win_api_gatherers.hpp"
#include "agent/collectors/windows_sources/win_api_names.hpp"

namespace triage::agent {

std::span<const NamedGatherer> api_gatherers() {
  static const std::vector<NamedGatherer> kGatherers = {
      // ---------------------------------------------------------- system and hardware

      // ---------------------------------------------------------- software, services, processes

      // ---------------------------------------------------------- network

      // ---------------------------------------------------------- health and security
      {win_api::kFirewall, &gather_firewall},
  };
  return kGatherers;
}

}  // namespace triage::agent
