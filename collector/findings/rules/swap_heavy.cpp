// memory.swap_heavy: swap space mostly used.
#include <algorithm>
#include <string>

#include "collector/findings/evidence_format.hpp"
#include "collector/findings/rules/rules.hpp"

namespace triage::collector::rules {
namespace {

constexpr float kWarningSwapUsedPercent = 80.0F;

void evaluate(const Rule& rule, const RuleContext& context, std::vector<Finding>& out) {
  const auto& hw = context.snapshot.hardware();
  // swap_used_percent is only reported when swap exists.
  if (!hw.has_memory() || !hw.memory().has_swap_used_percent()) return;
  const auto& mem = hw.memory();
  const float used = mem.swap_used_percent();
  if (used < kWarningSwapUsedPercent) return;
  const auto swap_used =
      mem.swap_total_bytes() - std::min(mem.swap_free_bytes(), mem.swap_total_bytes());
  std::string evidence = "swap " + format_bytes(swap_used) + " of " +
                         format_bytes(mem.swap_total_bytes()) + " used (" + format_percent(used) +
                         ")";
  if (mem.total_bytes() > 0) {
    evidence += "; memory available " + format_bytes(mem.available_bytes()) + " of " +
                format_bytes(mem.total_bytes());
  }
  out.push_back(make_finding(rule, Severity::kWarning, "",
                             "Swap " + format_whole_percent(used) + " used", std::move(evidence)));
}

}  // namespace

const Rule kSwapHeavy{
    .id = "memory.swap_heavy",
    .default_severity = Severity::kWarning,
    .condition = "Swap is at least 80 % used.",
    .kb_article =
        "Most of the swap space holds memory pages. With plenty of RAM available this is "
        "harmless leftovers of an earlier peak; with little RAM available the machine is short "
        "of memory and will slow down or start killing programs once swap is full. L1: check "
        "the memory findings; a reboot empties swap if the user reports slowness. L2: find the "
        "processes holding swap (smem, /proc/*/status VmSwap) and size RAM or swap.",
    .evaluate = &evaluate,
};

}  // namespace triage::collector::rules
