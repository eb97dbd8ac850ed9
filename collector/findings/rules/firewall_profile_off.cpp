// security.firewall_profile_off: the firewall profile of a network the machine is on is off.
#include <string>

#include "collector/findings/rules/rules.hpp"

namespace triage::collector::rules {
namespace {

void evaluate(const Rule& rule, const RuleContext& context, std::vector<Finding>& out) {
  const auto& firewall = context.snapshot.security().firewall();
  for (const auto& profile : firewall.profiles()) {
    // The agent names every profile it reports; an unnamed one is not a report.
    if (profile.name().empty() || !profile.current() || profile.enabled()) continue;
    std::string evidence =
        "the " + profile.name() + " profile applies to a network the machine is on now and is off";
    if (!profile.inbound_default().empty())
      evidence += "; inbound connections without a rule: " + profile.inbound_default();
    if (!firewall.frontends().empty()) evidence += "; " + firewall.frontends(0);
    out.push_back(make_finding(rule, Severity::kWarning, profile.name(),
                               "Firewall off on the " + profile.name() + " network",
                               std::move(evidence)));
  }
}

}  // namespace

const Rule kFirewallProfileOff{
    .id = "security.firewall_profile_off",
    .default_severity = Severity::kWarning,
    .condition =
        "A Windows Defender Firewall profile that applies to a current network (domain, "
        "private or public) is off; one finding per profile.",
    .kb_article =
        "Every listening service of the machine (file sharing, remote desktop, databases) is "
        "reachable from that network. On a public network (hotel, café) that is the whole "
        "room. Someone usually switched it off while troubleshooting and forgot. L1: turn the "
        "profile back on in Windows Security > Firewall & network protection; when an "
        "application stops working, note which one and escalate. L2: add the rule the "
        "application needs instead, and enforce the profiles by Group Policy or Intune.",
    .evaluate = &evaluate,
};

}  // namespace triage::collector::rules
