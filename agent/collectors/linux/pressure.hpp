#pragma once
// Load average and pressure stall information (PSI). Linux.

#include <optional>
#include <string_view>

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// Load averages and runnable count of /proc/loadavg text.
std::optional<v1::Load> parse_loadavg(std::string_view text);
/// One /proc/pressure/* file: its "some" and "full" lines.
struct PsiFile {
  std::optional<v1::PressureStall> some, full;
};
/// Parses one /proc/pressure/* file.
PsiFile parse_pressure(std::string_view text);
/// The pressure collector: load average and CPU, memory and I/O pressure.
Result<void> collect_pressure(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
