// The Windows catalog: the Windows sources' table (windows_sources/windows_catalog.cpp), which
// compiles on every platform so the tests run it against recorded machines.
#include <span>

#include "agent/collectors/collector.hpp"
#include "agent/collectors/windows_sources/windows_catalog.hpp"

namespace triage::agent {

std::span<const CollectorSpec> collector_catalog() { return windows_collector_catalog(); }

}  // namespace triage::agent
