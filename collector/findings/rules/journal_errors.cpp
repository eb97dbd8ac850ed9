// journal.unit_errors: one unit writing many error-level journal entries.
#include <string>

#include "collector/findings/rules/rules.hpp"

namespace triage::collector::rules {
namespace {

/// Error entries per unit within the collector's window (24 h). A healthy desktop logs a
/// handful per unit per day; hundreds means something is retrying in a loop.
constexpr std::uint32_t kWarningErrorsPerUnit = 100;

void evaluate(const Rule& rule, const RuleContext& context, std::vector<Finding>& out) {
  const auto& journal = context.snapshot.health().journal();
  if (!journal.available()) return;
  for (const auto& unit : journal.units()) {
    if (unit.count() < kWarningErrorsPerUnit || unit.unit().empty()) continue;
    std::string evidence = unit.unit() + ": " + std::to_string(unit.count()) +
                           " error-level journal entries in the last " +
                           std::to_string(journal.window_hours()) + " h (" +
                           std::to_string(journal.total()) + " for all units)";
    if (journal.truncated()) evidence += "; journal output was truncated, counts are lower bounds";
    out.push_back(make_finding(rule, Severity::kWarning, unit.unit(),
                               "Many errors logged by " + unit.unit(), std::move(evidence),
                               {"collect-log-bundle"}));
  }
}

}  // namespace

const Rule kJournalErrors{
    .id = "journal.unit_errors",
    .default_severity = Severity::kWarning,
    .condition =
        "One unit or program logged at least 100 error-level journal entries in the "
        "collection window (24 h).",
    .kb_article =
        "A service or program keeps reporting errors, often a retry loop (cannot reach a "
        "server, missing file, crashing helper). Besides the underlying fault, the log volume "
        "itself fills /var/log. L1: collect the log bundle and check for a matching failed "
        "service or crash finding. L2: read `journalctl -p err -u <unit>` and fix the cause.",
    .evaluate = &evaluate,
};

}  // namespace triage::collector::rules
