// security.antivirus_off: the antivirus, or its real-time protection, is switched off.
#include <string>

#include "collector/findings/rules/rules.hpp"

namespace triage::collector::rules {
namespace {

void evaluate(const Rule& rule, const RuleContext& context, std::vector<Finding>& out) {
  const auto& security = context.snapshot.security();
  if (!security.has_antivirus()) return;
  const auto& av = security.antivirus();
  const bool off = av.has_enabled() && !av.enabled();
  const bool no_real_time = av.has_real_time_protection() && !av.real_time_protection();
  if (!off && !no_real_time) return;
  const std::string product = av.product().empty() ? "the antivirus" : av.product();
  std::string evidence = product + ": ";
  if (off) evidence += "antivirus off";
  if (no_real_time) evidence += std::string(off ? ", " : "") + "real-time protection off";
  if (av.has_tamper_protection())
    evidence += std::string("; tamper protection ") + (av.tamper_protection() ? "on" : "off");
  out.push_back(make_finding(rule, Severity::kCritical, product,
                             off ? product + " is off" : product + ": real-time protection off",
                             std::move(evidence)));
}

}  // namespace

const Rule kAntivirusOff{
    .id = "security.antivirus_off",
    .default_severity = Severity::kCritical,
    .condition = "The antivirus reports itself off, or its real-time protection off.",
    .kb_article =
        "Files are not scanned as they are opened or downloaded: malware runs unchecked. "
        "Defender switches off when a user or a script turned it off, during troubleshooting "
        "mode, or when another antivirus registered and was later uninstalled badly. L1: open "
        "Windows Security and turn real-time protection back on; if it turns off again, "
        "escalate. L2: check Group Policy and Intune (DisableAntiSpyware, "
        "DisableRealtimeMonitoring), tamper protection, leftovers of a removed third-party "
        "antivirus, and scan the machine offline if someone disabled protection on purpose.",
    .evaluate = &evaluate,
};

}  // namespace triage::collector::rules
