// memory.pressure: tasks stalled waiting for memory (Linux PSI, /proc/pressure/memory).
#include <string>

#include "collector/findings/evidence_format.hpp"
#include "collector/findings/rules/largest_process.hpp"
#include "collector/findings/rules/rules.hpp"

namespace triage::collector::rules {
namespace {

/// "some": share of time at least one task waited for memory. A short burst shows in avg10
/// only; a sustained shortage in avg60.
constexpr float kWarningSomeAvg10 = 20.0F;
constexpr float kWarningSomeAvg60 = 10.0F;
constexpr float kCriticalSomeAvg60 = 40.0F;
/// "full": share of time every task waited at once; the machine did no work at all.
constexpr float kCriticalFullAvg60 = 10.0F;

std::string describe(const char* what, const v1::PressureStall& stall) {
  return std::string(what) + " avg10 " + format_percent(stall.avg10()) + ", avg60 " +
         format_percent(stall.avg60()) + ", avg300 " + format_percent(stall.avg300());
}

void evaluate(const Rule& rule, const RuleContext& context, std::vector<Finding>& out) {
  const auto& health = context.snapshot.health();
  // PSI absent (old kernel, PSI disabled, collector off) is not a healthy reading: no finding.
  if (!health.has_pressure() || !health.pressure().has_memory_some()) return;
  const auto& some = health.pressure().memory_some();
  const bool has_full = health.pressure().has_memory_full();
  const auto& full = health.pressure().memory_full();
  const bool critical =
      some.avg60() >= kCriticalSomeAvg60 || (has_full && full.avg60() >= kCriticalFullAvg60);
  const bool warning = some.avg10() >= kWarningSomeAvg10 || some.avg60() >= kWarningSomeAvg60;
  if (!critical && !warning) return;
  std::string evidence = describe("memory pressure (some)", some);
  if (has_full) evidence += "; " + describe("full", full);
  std::vector<std::string> actions;
  if (const auto* top = largest_process(context.snapshot.software())) {
    evidence += "; largest process: " + describe_memory_use(*top);
    actions.emplace_back("kill-process");
  }
  out.push_back(make_finding(rule, critical ? Severity::kCritical : Severity::kWarning, "",
                             "Memory pressure: tasks stalled " +
                                 format_whole_percent(some.avg60()) + " of the last minute",
                             std::move(evidence), std::move(actions)));
}

}  // namespace

const Rule kMemoryPressure{
    .id = "memory.pressure",
    .default_severity = Severity::kWarning,
    .condition =
        "Memory PSI \"some\" avg10 >= 20 % or avg60 >= 10 % (critical: some avg60 >= "
        "40 % or \"full\" avg60 >= 10 %).",
    .kb_article =
        "Programs are regularly waiting for memory to be freed: the machine feels slow or "
        "freezes, the disk is busy swapping. L1: ask the user to close large applications (many "
        "browser tabs, VMs); the largest process is in the evidence and can be ended with "
        "kill-process if it is runaway. L2: look for a leak (RSS growing across snapshots), "
        "check swap and OOM findings, and consider more RAM for the workload.",
    .evaluate = &evaluate,
};

}  // namespace triage::collector::rules
