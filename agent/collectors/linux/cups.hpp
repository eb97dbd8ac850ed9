#pragma once
// Print queues and jobs from CUPS. Linux.

#include <string>
#include <string_view>
#include <vector>

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// What `lpstat -d -p -a -o` says.
struct LpstatReport {
  std::string default_printer;
  std::vector<v1::Printer> printers;
  std::vector<v1::PrintJob> jobs;
};
/// Parses lpstat output; job dates are local time when `local_time`, else UTC.
LpstatReport parse_lpstat(std::string_view text, bool local_time);
/// The cups collector: printers, queued jobs and stuck jobs.
Result<void> collect_cups(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
