// The Windows catalog: empty until the Windows diagnostics (registry, WMI, Win32 sources) land
// beside this file. A snapshot from a Windows agent lists no collectors yet; the device's
// identity (host name, Windows version, architecture) travels in every Hello instead
// (device_facts.cpp).
#include <span>

#include "agent/collectors/collector.hpp"

namespace triage::agent {

std::span<const CollectorSpec> collector_catalog() { return {}; }

}  // namespace triage::agent
