// crash.recent: crash reports (apport, systemd-coredump, kdump) from the last days, per program.
#include <map>
#include <string>
#include <string_view>

#include "collector/findings/evidence_format.hpp"
#include "collector/findings/rules/rules.hpp"
#include "collector/findings/rules/windows_platform.hpp"

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
      return "minidump";
    default:
      return "crash";
  }
}

void evaluate(const Rule& rule, const RuleContext& context, std::vector<Finding>& out) {
  std::map<std::string, std::vector<const v1::CrashDump*>> by_program;
  // A Windows minidump is a stop error system.bugcheck_recent reports when the snapshot lists
  // the bugchecks; counting it here too would report one blue screen twice.
  const bool bugchecks_reported = context.snapshot.health().bugchecks_size() > 0;
  for (const auto& dump : context.snapshot.health().crash_dumps()) {
    if (dump.time_unix_ms() <= 0 || context.as_of_unix_ms - dump.time_unix_ms() > kWindowMs)
      continue;
    if (dump.kind() == v1::CrashDump::MINIDUMP && bugchecks_reported) continue;
    by_program[dump.program().empty() ? "unknown program" : dump.program()].push_back(&dump);
  }
  for (const auto& [program, dumps] : by_program) {
    const v1::CrashDump* newest = dumps.front();
    const char* kernel = nullptr;  // the kind of a kernel dump among them
    for (const auto* d : dumps) {
      if (d->time_unix_ms() > newest->time_unix_ms()) newest = d;
      if (d->kind() == v1::CrashDump::KDUMP || d->kind() == v1::CrashDump::MINIDUMP)
        kernel = kind_name(d->kind());
    }
    std::string evidence = std::to_string(dumps.size()) + " crash report" +
                           (dumps.size() == 1 ? "" : "s") + " in the last 7 days; newest " +
                           format_duration_ms(context.as_of_unix_ms - newest->time_unix_ms()) +
                           " before the snapshot: " + newest->path() + " (" +
                           kind_name(newest->kind()) + ", " + format_bytes(newest->size_bytes()) +
                           ")";
    // A kernel crash (kdump) took the whole machine down.
    const bool warning = kernel != nullptr || dumps.size() >= kWarningCrashes;
    out.push_back(make_finding(
        rule, warning ? Severity::kWarning : Severity::kInfo, program,
        kernel && std::string_view(kernel) == "minidump"
            ? std::string("Windows stopped with a bugcheck (minidump)")
        : kernel ? std::string("Kernel crashed (") + kernel + ")"
                 : "Program " + program + " crashed",
        std::move(evidence),
        {is_windows(context.snapshot) ? "collect-windows-log-bundle" : "collect-log-bundle"}));
  }
}

}  // namespace

const Rule kRecentCrashes{
    .id = "crash.recent",
    .default_severity = Severity::kInfo,
    .condition =
        "Crash reports from the last 7 days, per program (warning at 3 or more, or for "
        "a kernel crash dump).",
    .kb_article =
        "A program (or the kernel) crashed and left a report. One crash is often a fluke; "
        "repeated crashes of the same program point to a bug, a bad plugin or profile, or "
        "failing memory. L1: ask the user what happened, collect the log bundle. L2: read the "
        "report (apport-retrace, coredumpctl info), update or reinstall the program, and run a "
        "memory test when many unrelated programs crash.",
    .evaluate = &evaluate,
};

}  // namespace triage::collector::rules
