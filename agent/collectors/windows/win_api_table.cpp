// The one table of Win32 gatherers WinHost::api() dispatches to, by area. Each gatherer lives
// in the gather_<area>.cpp file of its area and is declared there in its own header.
#include <array>

#include "agent/collectors/windows/win_api_gatherers.hpp"

namespace triage::agent {
namespace {

const std::array<NamedGatherer, 0> kGatherers = {{
    // ------------------------------------------------------------ system and hardware

    // ------------------------------------------------------------ software, services, processes

    // ------------------------------------------------------------ network

    // ------------------------------------------------------------ health and security
}};

}  // namespace

std::span<const NamedGatherer> api_gatherers() { return kGatherers; }

}  // namespace triage::agent
