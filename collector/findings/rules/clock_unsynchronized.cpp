// clock.unsynchronized: the kernel says its clock is not disciplined by a time source.
#include <string>

#include "collector/findings/evidence_format.hpp"
#include "collector/findings/rules/rules.hpp"
#include "collector/findings/rules/windows_platform.hpp"

namespace triage::collector::rules {
namespace {

void evaluate(const Rule& rule, const RuleContext& context, std::vector<Finding>& out) {
  const auto& sync = context.snapshot.system().time_sync();
  if (!sync.has_synchronized() || sync.synchronized()) return;
  // Windows says so only when w32time is told not to synchronise (Type NoSync); restarting the
  // service changes nothing then: the configuration must.
  if (is_windows(context.snapshot)) {
    out.push_back(make_finding(
        rule, Severity::kWarning, "", "Clock not synchronised",
        "time service: " + (sync.service().empty() ? std::string("w32time") : sync.service()), {}));
    return;
  }
  std::string evidence = "kernel clock state: unsynchronised";
  if (sync.has_max_error_ms())
    evidence += "; maximum error " + format_decimal(sync.max_error_ms() / 1000.0) + " s";
  evidence +=
      sync.service().empty() ? "; no time service found" : "; time service: " + sync.service();
  out.push_back(make_finding(rule, Severity::kWarning, "", "Clock not synchronised",
                             std::move(evidence), {"sync-time"}));
}

}  // namespace

const Rule kClockUnsynchronized{
    .id = "clock.unsynchronized",
    .default_severity = Severity::kWarning,
    .condition =
        "The kernel reports its clock as unsynchronised (adjtimex); on Windows, w32time is set "
        "not to synchronise (Type NoSync).",
    .kb_article =
        "No time daemon is currently keeping the clock right, so it drifts: TLS certificates, "
        "Kerberos/AD logins and file sync start failing once it is off by minutes. Just after "
        "boot or on a network without NTP access this is expected for a while. L1: run "
        "sync-time. L2: make sure a time service (systemd-timesyncd, chrony) is installed, "
        "enabled and can reach its servers (UDP 123). On Windows, w32time set to NoSync never "
        "corrects the clock: set its source again (w32tm /config /syncfromflags:domhier or "
        "manual with /manualpeerlist, or the domain's time policy).",
    .evaluate = &evaluate,
};

}  // namespace triage::collector::rules
