// process.cpu_hog: a process keeping a whole CPU (or more) busy, as the process collector saw it.
#include <map>
#include <string>

#include "collector/findings/evidence_format.hpp"
#include "collector/findings/rules/rules.hpp"

namespace triage::collector::rules {
namespace {

/// Share of one CPU; multi-threaded processes can exceed 100.
constexpr float kBusyCpuPercent = 90.0F;
/// Without a sampling window the agent reports the average since process start; a young
/// process's average says little about whether it is still spinning.
constexpr std::int64_t kMinLifetimeForAverageMs = 10LL * 60 * 1000;

/// The agent prints "[comm]" when a process has no command line: kernel threads and zombies,
/// which cannot be killed from user space.
bool is_kernel_thread(const v1::Process& p) {
  return p.command_line().size() >= 2 && p.command_line().front() == '[' &&
         p.command_line().back() == ']';
}

void evaluate(const Rule& rule, const RuleContext& context, std::vector<Finding>& out) {
  const auto& sw = context.snapshot.software();
  const std::uint32_t sample_ms = sw.process_summary().sample_ms();
  // One finding per program name: pids change on every restart, names do not.
  std::map<std::string, std::vector<const v1::Process*>> busy;
  for (const auto& p : sw.top_processes()) {
    if (p.cpu_percent() < kBusyCpuPercent) continue;
    if (sample_ms == 0) {
      if (p.start_time_unix_ms() <= 0 ||
          context.as_of_unix_ms - p.start_time_unix_ms() < kMinLifetimeForAverageMs)
        continue;
    }
    busy[p.name()].push_back(&p);
  }
  for (const auto& [name, processes] : busy) {
    std::string evidence;
    bool killable = false;
    for (const auto* p : processes) {
      if (!evidence.empty()) evidence += "; ";
      evidence += "pid " + std::to_string(p->pid()) + " " + format_percent(p->cpu_percent()) +
                  " of one CPU";
      if (!p->user().empty()) evidence += ", user " + p->user();
      if (!p->state().empty()) evidence += ", state " + p->state();
      if (!p->command_line().empty()) evidence += ", command \"" + p->command_line() + "\"";
      killable = killable || !is_kernel_thread(*p);
    }
    evidence += sample_ms > 0 ? "; measured over a " + format_duration_ms(sample_ms) + " sample"
                              : "; average since the process started (no sampling window)";
    if (const auto& load = context.snapshot.health().load(); load.cpu_count() > 0) {
      evidence +=
          "; " + std::to_string(load.cpu_count()) + " CPUs, load " + format_decimal(load.load1());
    }
    std::vector<std::string> actions;
    if (killable) actions.emplace_back("kill-process");
    out.push_back(make_finding(rule, Severity::kWarning, name,
                               "Process " + name + " keeps a CPU busy (" +
                                   format_whole_percent(processes.front()->cpu_percent()) + ")",
                               std::move(evidence), std::move(actions)));
  }
}

}  // namespace

const Rule kCpuHog{
    .id = "process.cpu_hog",
    .default_severity = Severity::kWarning,
    .condition =
        "A reported process uses >= 90 % of one CPU over the agent's sampling window "
        "(or, without one, on average since a start at least 10 minutes earlier).",
    .kb_article =
        "One program keeps a processor core fully busy: fans spin, the battery drains, other "
        "programs lag. Sometimes legitimate (compiling, video export, a virus scan). L1: ask the "
        "user whether the program is doing expected work; if not, end it with kill-process and "
        "see whether it comes back. L2: a service that spins again after restart needs its logs "
        "or a bug report; a browser tab can be found in the browser's task manager.",
    .evaluate = &evaluate,
};

}  // namespace triage::collector::rules
