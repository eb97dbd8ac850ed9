// memory.oom_kills: the kernel killed programs because memory ran out.
#include <set>
#include <string>

#include "collector/findings/rules/rules.hpp"

namespace triage::collector::rules {
namespace {

/// Repeated kills since boot: the shortage is ongoing, not a one-off spike.
constexpr std::uint32_t kCriticalOomKills = 5;

void evaluate(const Rule& rule, const RuleContext& context, std::vector<Finding>& out) {
  const auto& log = context.snapshot.health().kernel_log();
  if (!log.readable() || log.oom_kills() == 0) return;
  std::set<std::string> victims;
  for (const auto& e : log.recent()) {
    if (e.kind() == v1::KernelEvent::OOM_KILL && !e.process().empty()) victims.insert(e.process());
  }
  std::string evidence =
      "kernel log since boot: " + std::to_string(log.oom_kills()) + " out-of-memory kills";
  if (!victims.empty()) {
    evidence += "; killed:";
    for (const auto& v : victims) evidence += " " + v;
  }
  out.push_back(make_finding(
      rule, log.oom_kills() >= kCriticalOomKills ? Severity::kCritical : Severity::kWarning, "",
      "Out of memory: kernel killed " + std::to_string(log.oom_kills()) +
          (log.oom_kills() == 1 ? " process" : " processes"),
      std::move(evidence), {"collect-log-bundle"}));
}

}  // namespace

const Rule kOomKills{
    .id = "memory.oom_kills",
    .default_severity = Severity::kWarning,
    .condition =
        "The kernel log since boot holds at least one OOM kill (critical at 5). Needs a "
        "readable kernel log.",
    .kb_article =
        "Memory ran out and the kernel ended a program to recover: the user saw an application "
        "vanish or a session end. L1: ask what the user was doing, check the low-memory and "
        "pressure findings. L2: find the consumer (often the killed program itself, or a leak "
        "elsewhere), add swap or RAM, or cap the program (systemd MemoryMax=).",
    .evaluate = &evaluate,
};

}  // namespace triage::collector::rules
