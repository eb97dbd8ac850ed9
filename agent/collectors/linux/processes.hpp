#pragma once
// Running processes: counts by state and the top consumers. Linux.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// The fields of /proc/<pid>/stat the process collector uses.
struct ProcStat {
  std::string comm, state;
  std::uint32_t ppid = 0, threads = 0;
  std::uint64_t cpu_ticks = 0, start_ticks = 0, rss_pages = 0;
};
/// Parses /proc/<pid>/stat text (a command name may hold spaces and parentheses).
std::optional<ProcStat> parse_proc_stat(std::string_view text);
/// The processes collector: process counts and the top processes with redacted command lines.
Result<void> collect_processes(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
