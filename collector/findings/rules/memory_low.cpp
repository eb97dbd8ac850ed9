// memory.low: little memory available for new work (MemAvailable).
#include <algorithm>
#include <string>

#include "collector/findings/evidence_format.hpp"
#include "collector/findings/rules/largest_process.hpp"
#include "collector/findings/rules/rules.hpp"

namespace triage::collector::rules {
namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;
/// Either bound triggers: a percentage for large machines, an absolute floor for small ones.
constexpr double kWarningAvailablePercent = 5.0;
constexpr std::uint64_t kWarningAvailableBytes = 200 * kMiB;
constexpr double kCriticalAvailablePercent = 2.0;
constexpr std::uint64_t kCriticalAvailableBytes = 64 * kMiB;

void evaluate(const Rule& rule, const RuleContext& context, std::vector<Finding>& out) {
  const auto& hw = context.snapshot.hardware();
  if (!hw.has_memory() || hw.memory().total_bytes() == 0) return;
  const auto& mem = hw.memory();
  const std::uint64_t available = std::min(mem.available_bytes(), mem.total_bytes());
  const double percent =
      100.0 * static_cast<double>(available) / static_cast<double>(mem.total_bytes());
  const bool critical = percent < kCriticalAvailablePercent || available < kCriticalAvailableBytes;
  const bool warning = percent < kWarningAvailablePercent || available < kWarningAvailableBytes;
  if (!critical && !warning) return;
  std::string evidence = "memory available " + format_bytes(available) + " of " +
                         format_bytes(mem.total_bytes()) + " (" + format_percent(percent) + ")";
  if (mem.swap_total_bytes() > 0) {
    const auto swap_used =
        mem.swap_total_bytes() - std::min(mem.swap_free_bytes(), mem.swap_total_bytes());
    evidence += "; swap " + format_bytes(swap_used) + " of " +
                format_bytes(mem.swap_total_bytes()) + " used";
  } else {
    evidence += "; no swap";
  }
  std::vector<std::string> actions;
  if (const auto* top = largest_process(context.snapshot.software())) {
    evidence += "; largest process: " + describe_memory_use(*top);
    actions.emplace_back("kill-process");
  }
  out.push_back(make_finding(rule, critical ? Severity::kCritical : Severity::kWarning, "",
                             "Low memory: " + format_bytes(available) + " available",
                             std::move(evidence), std::move(actions)));
}

}  // namespace

const Rule kMemoryLow{
    .id = "memory.low",
    .default_severity = Severity::kWarning,
    .condition =
        "Available memory below 5 % of total or below 200 MiB (critical: below 2 % or "
        "64 MiB).",
    .kb_article =
        "Almost no memory is left for new work; the kernel will soon swap heavily or kill a "
        "program (OOM). L1: ask the user to close applications; end the largest process with "
        "kill-process if it is not doing useful work. L2: compare process sizes across "
        "snapshots for a leak, check for tmpfs filling RAM, and size RAM or swap to the "
        "workload.",
    .evaluate = &evaluate,
};

}  // namespace triage::collector::rules
