#pragma once
// The Windows sources, in run order: the table the Windows agent runs (windows/catalog.cpp),
// and the one the tests run natively against recorded machines.

#include <span>

#include "agent/collectors/collector.hpp"

namespace triage::agent {

std::span<const CollectorSpec> windows_collector_catalog();

}  // namespace triage::agent
