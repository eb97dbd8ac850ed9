#include "collector/findings/finding.hpp"

namespace triage::collector {

const char* severity_name(Severity severity) {
  switch (severity) {
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kCritical:
      return "critical";
  }
  return "info";
}

nlohmann::json to_json(const Finding& finding) {
  return nlohmann::json{
      {"rule", finding.rule_id},      {"severity", severity_name(finding.severity)},
      {"subject", finding.subject},   {"title", finding.title},
      {"evidence", finding.evidence}, {"suggested_actions", finding.suggested_actions},
      {"kb", finding.kb_article},
  };
}

}  // namespace triage::collector
