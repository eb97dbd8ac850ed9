#pragma once
// The shape of a findings rule: identity, default severity, documentation and one pure
// evaluation function over a snapshot. Rules live one per file in rules/; rule_catalog.cpp
// lists them.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collector/findings/finding.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::collector {

/// What a rule evaluates against.
struct RuleContext {
  const v1::Snapshot& snapshot;
  /// The instant the snapshot describes, in the endpoint's own clock: its collected_at time, or
  /// the evaluation time when the snapshot carries none. Ages (uptime, crash recency) are
  /// computed against it so that a skewed endpoint clock cancels out.
  std::int64_t as_of_unix_ms = 0;
};

struct Rule;

/// Appends the findings of `rule` for `context` to `out`. Must not throw for any snapshot;
/// data that was not reported yields nothing.
using RuleEvaluator = void (*)(const Rule& rule, const RuleContext& context,
                               std::vector<Finding>& out);

/// A findings rule. Instances are constant-initialised globals, listed in rule_catalog.cpp.
struct Rule {
  /// Stable identifier, "area.problem".
  std::string_view id;
  /// Severity when no escalation applies (several rules escalate to critical; see condition).
  Severity default_severity = Severity::kWarning;
  /// The condition and thresholds in one sentence, for docs and the rule listing API.
  std::string_view condition;
  /// What it means and how L1/L2 fix it; copied into each finding.
  std::string_view kb_article;
  RuleEvaluator evaluate = nullptr;
};

/// A finding of `rule` with its id and knowledge-base text filled in.
Finding make_finding(const Rule& rule, Severity severity, std::string subject, std::string title,
                     std::string evidence, std::vector<std::string> suggested_actions = {});

}  // namespace triage::collector
