// updates.lists_stale: the package lists are old, so "no updates pending" cannot be trusted.
#include <string>

#include "collector/findings/evidence_format.hpp"
#include "collector/findings/rules/rules.hpp"

namespace triage::collector::rules {
namespace {

/// apt's daily timer refreshes lists every day; two weeks without means it is not running.
constexpr std::int64_t kStaleAfterMs = 14LL * 24 * 3600 * 1000;

void evaluate(const Rule& rule, const RuleContext& context, std::vector<Finding>& out) {
  const auto& updates = context.snapshot.software().updates();
  // Without a manager the update collector did not run or found no package manager.
  if (updates.manager().empty()) return;
  // Windows Update keeps no package lists; updates.windows_stale judges its age instead.
  if (updates.manager() == "Windows Update") return;
  const std::int64_t refreshed = updates.lists_updated_unix_ms();
  if (refreshed > 0 && context.as_of_unix_ms - refreshed <= kStaleAfterMs) return;
  std::string evidence = refreshed > 0
                             ? updates.manager() + " package lists last refreshed " +
                                   format_duration_ms(context.as_of_unix_ms - refreshed) +
                                   " before the snapshot"
                             : updates.manager() + " package lists have never been refreshed";
  if (updates.has_security_count())
    evidence +=
        "; security updates known from those lists: " + std::to_string(updates.security_count());
  std::string title = refreshed > 0 ? "Package lists not refreshed for " +
                                          format_duration_ms(context.as_of_unix_ms - refreshed)
                                    : "Package lists never refreshed";
  out.push_back(make_finding(rule, Severity::kWarning, "", std::move(title), std::move(evidence)));
}

}  // namespace

const Rule kUpdateListsStale{
    .id = "updates.lists_stale",
    .default_severity = Severity::kWarning,
    .condition =
        "The package manager's lists were last refreshed more than 14 days before the "
        "snapshot, or never.",
    .kb_article =
        "The machine has not fetched package indexes for weeks, so it does not know about new "
        "security updates and the pending-update count is understated. Usual causes: no network "
        "access to the mirrors, a proxy, a broken source entry, or the apt-daily timer "
        "disabled. L1: run the software updater and note any error. L2: run apt-get update, fix "
        "failing sources or proxy settings, and re-enable apt-daily.timer.",
    .evaluate = &evaluate,
};

}  // namespace triage::collector::rules
