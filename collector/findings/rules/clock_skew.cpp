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
  // Linux reports the kernel's own estimate; Windows, whose w32time keeps its offset to itself,
  // the agent's measurement against the time server (offset_source).
  const std::string sign = sync.offset_ms() < 0 ? "-" : "+";
  std::string evidence =
      sync.offset_source().empty()
          ? "kernel clock offset " + sign + format_decimal(offset / 1000.0) + " s"
          : "clock offset " + sign + format_decimal(offset / 1000.0) + " s from " +
                sync.offset_source();
  if (sync.has_max_error_ms()) {
    // A measured offset is good to a few milliseconds; the kernel's estimate can be seconds off.
    const double error = sync.max_error_ms();
    evidence += " (maximum error " +
                (error < 1000.0 ? std::to_string(static_cast<long>(std::lround(error))) + " ms"
                                : format_decimal(error / 1000.0) + " s") +
                ")";
  }
  if (sync.has_synchronized())
    evidence += std::string("; synchronised: ") + (sync.synchronized() ? "yes" : "no");
  if (!sync.service().empty()) evidence += "; time service: " + sync.service();
  std::vector<std::string> actions{is_windows(context.snapshot) ? "sync-time-windows"
                                                                : "sync-time"};
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
        "The clock's offset is more than 1 s (critical above 60 s) in either direction: the "
        "kernel's estimate on Linux, the agent's SNTP measurement against w32time's server on "
        "Windows.",
    .kb_article =
        "The clock is measurably wrong. Above a minute, logins against Active Directory or "
        "Kerberos, TLS, two-factor codes and scheduled jobs misbehave. L1: run sync-time "
        "(sync-time-windows on Windows). L2: check the time daemon's sources (timedatectl "
        "timesync-status, chronyc sources; on Windows w32tm /query /status and /query /source, "
        "a W32Time service that is stopped), a failing RTC battery on machines that lose time "
        "while off, and dual-boot systems keeping the RTC in local time.",
    .evaluate = &evaluate,
};

}  // namespace triage::collector::rules
