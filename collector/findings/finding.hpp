#pragma once
// A finding: one problem a rule saw in a snapshot, worded for the helpdesk queue. Findings are
// computed from what the endpoint reported about itself, so they are leads, not verdicts.

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace triage::collector {

using TimePoint = std::chrono::system_clock::time_point;

/// How urgently a technician should look. Ordered: a larger value is more urgent.
enum class Severity { kInfo, kWarning, kCritical };

/// "info" | "warning" | "critical".
const char* severity_name(Severity severity);

/// One problem seen in one snapshot, about one subject.
struct Finding {
  /// Stable rule identifier ("disk.full"), the same across versions for aggregation.
  std::string rule_id;
  Severity severity = Severity::kInfo;
  /// What the finding is about, stable across snapshots: "/home", "cups.service"; "" when it is
  /// about the whole machine.
  std::string subject;
  /// One line for a queue view: "Disk /home 96 % full".
  std::string title;
  /// The numbers from the snapshot that support the finding, with units, as reported.
  std::string evidence;
  /// Catalog action ids (e.g. "restart-service") a technician may run next; may be empty.
  std::vector<std::string> suggested_actions;
  /// Short knowledge-base text: what it means and how L1/L2 usually fix it.
  std::string kb_article;
};

/// Keys: rule, severity, subject, title, evidence, suggested_actions, kb.
nlohmann::json to_json(const Finding& finding);

}  // namespace triage::collector
