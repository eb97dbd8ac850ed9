// clock.skew: the kernel's estimate of the clock offset from true time is large.
#include <cmath>
#include <string>

#include "collector/findings/evidence_format.hpp"
#include "collector/findings/rules/rules.hpp"
#include "collector/findings/rules/windows_platform.hpp"

namespace triage::collector::rules {
namespace {

/// Kerberos tolerates 5 minutes; TOTP codes and log correlation suffer from seconds.
constexpr double kWarningOffsetMs = 1000.0;
constexpr double kCriticalOffsetMs = 60000.0;

void evaluate(const Rule& rule, const RuleContext& context, std::vector<Finding>& out) {
  const auto& sync = context.snapshot.system().time_sync();
  if (!sync.has_offset_ms() || !std::isfinite(sync.offset_ms())) return;
  const double offset = std::abs(sync.offset_ms());
  if (offset <= kWarningOffsetMs) return;
  std::string evidence = "kernel clock offset " + std::string(sync.offset_ms() < 0 ? "-" : "+") +
                         format_decimal(offset / 1000.0) + " s";
  if (sync.has_max_error_ms())
    evidence += " (maximum error " + format_decimal(sync.max_error_ms() / 1000.0) + " s)";
  if (sync.has_synchronized())
    evidence += std::string("; synchronised: ") + (sync.synchronized() ? "yes" : "no");
  if (!sync.service().empty()) evidence += "; time service: " + sync.service();
  // sync-time restarts systemd-timesyncd; the Windows agent has no time action yet.
  std::vector<std::string> actions;
  if (!is_windows(context.snapshot)) actions.emplace_back("sync-time");
  out.push_back(make_finding(rule,
                             offset > kCriticalOffsetMs ? Severity::kCritical : Severity::kWarning,
                             "", "Clock off by " + format_decimal(offset / 1000.0) + " s",
                             std::move(evidence), std::move(actions)));
}

}  // namespace

const Rule kClockSkew{
    .id = "clock.skew",
    .default_severity = Severity::kWarning,
    .condition =
        "The kernel's clock offset is more than 1 s (critical above 60 s) in either "
        "direction.",
    .kb_article =
        "The clock is measurably wrong. Above a minute, logins against Active Directory or "
        "Kerberos, TLS, two-factor codes and scheduled jobs misbehave. L1: run sync-time. L2: "
        "check the time daemon's sources (timedatectl timesync-status, chronyc sources), a "
        "failing RTC battery on machines that lose time while off, and dual-boot systems "
        "keeping the RTC in local time.",
    .evaluate = &evaluate,
};

}  // namespace triage::collector::rules
