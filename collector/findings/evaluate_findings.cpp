#include "collector/findings/evaluate_findings.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <tuple>

#include "collector/findings/rule_catalog.hpp"

namespace triage::collector {

std::vector<Finding> evaluate_findings(const v1::Snapshot& snapshot, TimePoint now) {
  const std::int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const RuleContext context{
      snapshot, snapshot.collected_at_unix_ms() > 0 ? snapshot.collected_at_unix_ms() : now_ms};
  std::vector<Finding> findings;
  for (const Rule* rule : rule_catalog()) {
    // The catch boundary of a rule: one rule's bug (or an allocation failure) must not hide
    // what the others found.
    try {
      rule->evaluate(*rule, context, findings);
    } catch (const std::exception& e) {
      spdlog::error("findings rule {} failed: {}", rule->id, e.what());
    } catch (...) {
      spdlog::error("findings rule {} failed with an unknown exception", rule->id);
    }
  }
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    return std::tie(b.severity, a.rule_id, a.subject) < std::tie(a.severity, b.rule_id, b.subject);
  });
  return findings;
}

}  // namespace triage::collector
