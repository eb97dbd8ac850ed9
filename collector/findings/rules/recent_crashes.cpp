// crash.recent: crash reports (apport, systemd-coredump, kdump; Windows Error Reporting and
// kernel dumps) from the last days, per program.
#include <map>
#include <string>

#include "collector/findings/evidence_format.hpp"
#include "collector/findings/rules/rules.hpp"

namespace triage::collector::rules {
namespace {

constexpr std::int64_t kWindowMs = 7LL * 24 * 3600 * 1000;
/// A program crashing this often within the window is a pattern, not bad luck.
constexpr std::size_t kWarningCrashes = 3;

const char* kind_name(v1::CrashDump::Kind kind) {
  switch (kind) {
    case v1::CrashDump::APPORT:
      return "apport";
    case v1::CrashDump::SYSTEMD_COREDUMP:
      return "coredump";
    case v1::CrashDump::KDUMP:
      return "kdump";
    case v1::CrashDump::WER:
      return "Windows Error Reporting";
    case v1::CrashDump::MINIDUMP:
      return "kernel dump";
    default:
      return "crash";
  }
}

void evaluate(const Rule& rule, const RuleContext& context, std::vector<Finding>& out) {
  std::map<std::string, std::vector<const v1::CrashDump*>> by_program;
  for (const auto& dump : context.snapshot.health().crash_dumps()) {
    if (dump.time_unix_ms() <= 0 || context.as_of_unix_ms - dump.time_unix_ms() > kWindowMs)
      continue;
    by_program[dump.program().empty() ? "unknown program" : dump.program()].push_back(&dump);
  }
  for (const auto& [program, dumps] : by_program) {
    const v1::CrashDump* newest = dumps.front();
    bool kernel = false, windows_kernel = false;
    for (const auto* d : dumps) {
      if (d->time_unix_ms() > newest->time_unix_ms()) newest = d;
      kernel = kernel || d->kind() == v1::CrashDump::KDUMP;
      // A Windows kernel dump is left by a bugcheck (blue screen): the whole machine went down.
      windows_kernel = windows_kernel || d->kind() == v1::CrashDump::MINIDUMP;
    }
    std::string evidence = std::to_string(dumps.size()) + " crash report" +
                           (dumps.size() == 1 ? "" : "s") + " in the last 7 days; newest " +
                           format_duration_ms(context.as_of_unix_ms - newest->time_unix_ms()) +
                           " before the snapshot: " + newest->path() + " (" +
                           kind_name(newest->kind()) + ", " + format_bytes(newest->size_bytes()) +
                           ")";
    // A kernel crash (kdump) took the whole machine down.
    const bool warning = kernel || windows_kernel || dumps.size() >= kWarningCrashes;
    std::string title = kernel           ? "Kernel crashed (kdump)"
                        : windows_kernel ? "Windows stopped with a bugcheck (kernel dump)"
                                         : "Program " + program + " crashed";
    out.push_back(make_finding(rule, warning ? Severity::kWarning : Severity::kInfo, program,
                               std::move(title), std::move(evidence), {"collect-log-bundle"}));
  }
}

}  // namespace

const Rule kRecentCrashes{
    .id = "crash.recent",
    .default_severity = Severity::kInfo,
    .condition =
        "Crash reports from the last 7 days, per program (warning at 3 or more, or for "
        "a kernel crash dump: kdump, or a Windows minidump after a bugcheck).",
    .kb_article =
        "A program (or the kernel) crashed and left a report. One crash is often a fluke; "
        "repeated crashes of the same program point to a bug, a bad plugin or profile, or "
        "failing memory. L1: ask the user what happened, collect the log bundle. L2: read the "
        "report (apport-retrace, coredumpctl info), update or reinstall the program, and run a "
        "memory test when many unrelated programs crash.",
    .evaluate = &evaluate,
};

}  // namespace triage::collector::rules
