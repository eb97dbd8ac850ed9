// system.bugcheck_recent: Windows stopped with a blue screen in the last days.
#include <string>

#include "collector/findings/evidence_format.hpp"
#include "collector/findings/rules/rules.hpp"

namespace triage::collector::rules {
namespace {

constexpr std::int64_t kWindowMs = 7LL * 24 * 3600 * 1000;
/// A second stop error in a week is a pattern: a driver or hardware fault, not a fluke.
constexpr std::size_t kCriticalCount = 2;

void evaluate(const Rule& rule, const RuleContext& context, std::vector<Finding>& out) {
  std::vector<const v1::Bugcheck*> recent;
  for (const auto& bugcheck : context.snapshot.health().bugchecks()) {
    if (bugcheck.time_unix_ms() <= 0 || context.as_of_unix_ms - bugcheck.time_unix_ms() > kWindowMs)
      continue;
    recent.push_back(&bugcheck);
  }
  if (recent.empty()) return;
  const v1::Bugcheck* newest = recent.front();
  for (const auto* b : recent) {
    if (b->time_unix_ms() > newest->time_unix_ms()) newest = b;
  }
  std::string evidence = std::to_string(recent.size()) + " stop error" +
                         (recent.size() == 1 ? "" : "s") + " in the last 7 days; newest " +
                         format_duration_ms(context.as_of_unix_ms - newest->time_unix_ms()) +
                         " before the snapshot";
  if (!newest->code().empty()) evidence += ": " + newest->code();
  if (!newest->parameters().empty()) evidence += " (" + newest->parameters() + ")";
  if (!newest->dump_path().empty()) evidence += "; dump " + newest->dump_path();
  out.push_back(make_finding(
      rule, recent.size() >= kCriticalCount ? Severity::kCritical : Severity::kWarning, "",
      recent.size() == 1
          ? "Blue screen " + format_duration_ms(context.as_of_unix_ms - newest->time_unix_ms()) +
                " ago"
          : std::to_string(recent.size()) + " blue screens in 7 days",
      std::move(evidence), {"collect-windows-log-bundle", "windows-update-scan"}));
}

}  // namespace

const Rule kBugcheckRecent{
    .id = "system.bugcheck_recent",
    .default_severity = Severity::kWarning,
    .condition =
        "Windows recorded a stop error (blue screen) in the last 7 days (critical for 2 or "
        "more).",
    .kb_article =
        "The machine crashed and restarted; unsaved work was lost. The stop code names the "
        "kind of fault (0x9F power state of a driver, 0xD1 a driver touching bad memory, 0x124 "
        "hardware). L1: ask what the user was doing, collect the log bundle, and install "
        "pending updates (windows-update-scan): new drivers fix most. L2: open the minidump "
        "(WinDbg !analyze -v) for the faulting driver, update or roll it back, check the "
        "firmware; run a memory test and check the disk when the codes vary.",
    .evaluate = &evaluate,
};

}  // namespace triage::collector::rules
