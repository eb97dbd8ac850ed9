#include "collector/findings/rule.hpp"

#include <utility>

namespace triage::collector {

Finding make_finding(const Rule& rule, Severity severity, std::string subject, std::string title,
                     std::string evidence, std::vector<std::string> suggested_actions) {
  Finding f;
  f.rule_id = std::string(rule.id);
  f.severity = severity;
  f.subject = std::move(subject);
  f.title = std::move(title);
  f.evidence = std::move(evidence);
  f.suggested_actions = std::move(suggested_actions);
  f.kb_article = std::string(rule.kb_article);
  return f;
}

}  // namespace triage::collector
