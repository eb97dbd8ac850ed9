// The one table of Win32 gatherers WinHost::api() dispatches to, by area. Each gatherer lives
// in the gather_<area>.cpp file of its area and is declared in that area's header.
#include <vector>

#include "agent/collectors/windows/gather_health.hpp"
#include "agent/collectors/windows/win_api_gatherers.hpp"

namespace triage::agent {

std::span<const NamedGatherer> api_gatherers() {
  static const std::vector<NamedGatherer> kGatherers = {
      // ---------------------------------------------------------- system and hardware

      // ---------------------------------------------------------- software, services, processes

      // ---------------------------------------------------------- network

      // ---------------------------------------------------------- health and security
      {"memory_status", &gather_memory_status},
      {"volumes", &gather_volumes},
      {"printers", &gather_printers},
  };
  return kGatherers;
}

}  // namespace triage::agent
