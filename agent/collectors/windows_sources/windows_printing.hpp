#pragma once
// Printers, their queues and stuck jobs, and the print spooler service: HealthInfo.printing
// (as cups on Linux). Win32 ("printers" answer: EnumPrintersW, EnumJobsW, the Spooler
// service); when the spooler is stopped, the printers from the registry and the jobs it left
// in its spool folder. Any user; one call per printer.

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

Result<void> collect_windows_printing(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
