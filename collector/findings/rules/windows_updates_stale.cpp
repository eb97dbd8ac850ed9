// updates.windows_stale: Windows Update has installed nothing for weeks.
#include <string>

#include "collector/findings/evidence_format.hpp"
#include "collector/findings/rules/rules.hpp"

namespace triage::collector::rules {
namespace {

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;
/// Cumulative updates ship monthly (Patch Tuesday): a month without one means one was missed.
constexpr std::int64_t kWarningAgeMs = 30 * kDayMs;
/// Two missed cumulative updates: known exploited holes stay open.
constexpr std::int64_t kCriticalAgeMs = 60 * kDayMs;

void evaluate(const Rule& rule, const RuleContext& context, std::vector<Finding>& out) {
  const auto& updates = context.snapshot.software().updates();
  if (updates.manager() != "Windows Update" || updates.last_installed_unix_ms() <= 0) return;
  const std::int64_t age = context.as_of_unix_ms - updates.last_installed_unix_ms();
  if (age <= kWarningAgeMs) return;
  std::string evidence =
      "last update installed " + format_duration_ms(age) + " before the snapshot";
  if (updates.last_search_unix_ms() > 0) {
    evidence += "; last search for updates " +
                format_duration_ms(context.as_of_unix_ms - updates.last_search_unix_ms()) +
                " before";
  } else {
    evidence += "; no search for updates recorded";
  }
  if (updates.has_pending_count())
    evidence += "; " + std::to_string(updates.pending_count()) + " updates pending";
  out.push_back(make_finding(rule, age >= kCriticalAgeMs ? Severity::kCritical : Severity::kWarning,
                             "", "Windows Update: nothing installed for " + format_duration_ms(age),
                             std::move(evidence), {"windows-update-scan"}));
}

}  // namespace

const Rule kWindowsUpdatesStale{
    .id = "updates.windows_stale",
    .default_severity = Severity::kWarning,
    .condition =
        "Windows Update last installed an update more than 30 days before the snapshot "
        "(critical at 60 days).",
    .kb_article =
        "Windows installs a cumulative update every month; none for over a month means the "
        "machine misses security fixes. Usual causes: updates paused, a metered connection, "
        "a failing update rolled back at every restart, too little disk space, or a broken "
        "WSUS/Intune policy. L1: run windows-update-scan, check the disk has free space, and "
        "reboot when an update waits for a restart. L2: read the WindowsUpdate and CBS logs "
        "for the failing update's error code, check the update policy (WSUS server, deferral, "
        "pause), and run DISM /RestoreHealth when the component store is damaged.",
    .evaluate = &evaluate,
};

}  // namespace triage::collector::rules
