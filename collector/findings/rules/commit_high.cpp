// memory.commit_high: Windows has promised nearly all of RAM plus page files to programs.
#include <string>

#include "collector/findings/evidence_format.hpp"
#include "collector/findings/rules/largest_process.hpp"
#include "collector/findings/rules/rules.hpp"

namespace triage::collector::rules {
namespace {

/// At the limit, allocations fail: programs crash with "out of memory" while RAM may be free.
constexpr float kWarningUsedPercent = 90.0F;
constexpr float kCriticalUsedPercent = 97.0F;

void evaluate(const Rule& rule, const RuleContext& context, std::vector<Finding>& out) {
  const auto& commit = context.snapshot.health().commit();
  if (!commit.has_used_percent() || commit.used_percent() < kWarningUsedPercent) return;
  std::string evidence = "commit charge " + format_percent(commit.used_percent());
  if (commit.limit_bytes() > 0) {
    evidence += " (" + format_bytes(commit.total_bytes()) + " of " +
                format_bytes(commit.limit_bytes()) + " limit";
    if (commit.peak_bytes() > 0) evidence += ", peak " + format_bytes(commit.peak_bytes());
    evidence += ")";
  }
  if (commit.page_file_total_bytes() > 0) {
    evidence += "; page files " + format_bytes(commit.page_file_used_bytes()) + " used of " +
                format_bytes(commit.page_file_total_bytes());
  } else {
    evidence += "; no page file";
  }
  std::vector<std::string> actions;
  if (const auto* top = largest_process(context.snapshot.software())) {
    evidence += "; largest process: " + describe_memory_use(*top);
    actions.emplace_back("kill-process");
  }
  out.push_back(make_finding(
      rule,
      commit.used_percent() >= kCriticalUsedPercent ? Severity::kCritical : Severity::kWarning, "",
      "Commit charge " + format_whole_percent(commit.used_percent()) + " of its limit",
      std::move(evidence), std::move(actions)));
}

}  // namespace

const Rule kCommitHigh{
    .id = "memory.commit_high",
    .default_severity = Severity::kWarning,
    .condition =
        "Windows commit charge is at least 90 % of the commit limit (RAM plus page files; "
        "critical at 97 %).",
    .kb_article =
        "Windows refuses memory to programs once what it promised reaches the commit limit, "
        "even with RAM free: programs crash or show \"out of memory\", and Windows warns that "
        "the computer is low on memory. A leaking program or a page file made too small are "
        "the usual causes. L1: ask the user to close programs; end the largest process with "
        "kill-process when it is not doing useful work; a restart clears a leak for a while. "
        "L2: find the leaking process (commit size in Task Manager's details), let Windows "
        "manage the page file size, or add RAM.",
    .evaluate = &evaluate,
};

}  // namespace triage::collector::rules
