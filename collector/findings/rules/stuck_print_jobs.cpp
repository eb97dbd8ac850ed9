// print.stuck_jobs: print jobs that have waited too long, per printer.
#include <map>
#include <string>

#include "collector/findings/evidence_format.hpp"
#include "collector/findings/rules/rules.hpp"
#include "collector/findings/rules/windows_platform.hpp"

namespace triage::collector::rules {
namespace {

void evaluate(const Rule& rule, const RuleContext& context, std::vector<Finding>& out) {
  const auto& printing = context.snapshot.health().printing();
  // CUPS on Linux, the print spooler on Windows (which names itself in `spooler`).
  if (!printing.cups_available() && printing.spooler().empty()) return;
  // The Windows print spooler names itself; without CUPS it is the one that spoke.
  const bool windows = is_windows(context.snapshot) || !printing.cups_available();
  // The agent marks a job stuck after 10 minutes of waiting, or when its printer is stopped.
  std::map<std::string, std::vector<const v1::PrintJob*>> stuck;
  for (const auto& job : printing.jobs()) {
    if (job.stuck()) stuck[job.printer()].push_back(&job);
  }
  for (const auto& [printer_name, jobs] : stuck) {
    std::int64_t oldest = 0;
    for (const auto* j : jobs) {
      if (j->submitted_unix_ms() > 0 && (oldest == 0 || j->submitted_unix_ms() < oldest))
        oldest = j->submitted_unix_ms();
    }
    std::string evidence = std::to_string(jobs.size()) + " stuck job" +
                           (jobs.size() == 1 ? "" : "s") + " on " + printer_name;
    if (oldest > 0) {
      evidence += ", oldest submitted " + format_duration_ms(context.as_of_unix_ms - oldest) +
                  " before the snapshot";
    }
    for (const auto& printer : printing.printers()) {
      if (printer.name() != printer_name) continue;
      if (printer.state() == v1::Printer::STOPPED) evidence += "; printer stopped";
      if (!printer.accepting()) evidence += "; printer not accepting jobs";
      if (!printer.message().empty()) {
        evidence += std::string(windows ? "; the spooler says \"" : "; CUPS says \"") +
                    printer.message() + "\"";
      }
    }
    if (printing.has_spooler_running() && !printing.spooler_running())
      evidence += "; " + printing.spooler() + " not running";
    out.push_back(make_finding(rule, Severity::kWarning, printer_name,
                               "Print jobs stuck on " + printer_name, std::move(evidence),
                               {windows ? "clear-windows-print-queue" : "clear-print-queue"}));
  }
}

}  // namespace

const Rule kStuckPrintJobs{
    .id = "print.stuck_jobs",
    .default_severity = Severity::kWarning,
    .condition =
        "A printer has jobs the agent marked stuck (waiting over 10 minutes, or queued "
        "on a stopped or rejecting printer); one finding per printer.",
    .kb_article =
        "Documents are queued but not printing: the printer is off, out of paper, unreachable, "
        "or CUPS paused the queue after an error (it then stays paused). L1: check the printer "
        "is on and reachable, clear the queue with clear-print-queue and ask the user to print "
        "again. L2: re-enable the queue (cupsenable), check the device URI and driver, and the "
        "CUPS error log.",
    .evaluate = &evaluate,
};

}  // namespace triage::collector::rules
