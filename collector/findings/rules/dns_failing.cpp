// network.dns_failing: the agent's DNS probe got no answer from configured nameservers.
#include <string>

#include "collector/findings/rules/probe_text.hpp"
#include "collector/findings/rules/rules.hpp"
#include "collector/findings/rules/windows_platform.hpp"

namespace triage::collector::rules {
namespace {

void evaluate(const Rule& rule, const RuleContext& context, std::vector<Finding>& out) {
  const auto& network = context.snapshot.network();
  std::size_t ran = 0, failed = 0;
  bool local_stub_failed = false;
  std::string evidence;
  for (const auto& probe : network.probes()) {
    if (probe.kind() != v1::Probe::DNS) continue;
    if (probe.result() != v1::Probe::OK && !probe_failed(probe)) continue;
    ++ran;
    if (!probe_failed(probe)) continue;
    ++failed;
    // Target is "<nameserver> <name>"; a loopback server is a local caching stub.
    local_stub_failed = local_stub_failed || probe.target().starts_with("127.") ||
                        probe.target().starts_with("::1 ");
    if (!evidence.empty()) evidence += "; ";
    evidence += "query " + probe.target() + ": " + probe_result_name(probe.result());
    if (!probe.message().empty()) evidence += " (" + probe.message() + ")";
  }
  if (failed == 0) return;
  evidence +=
      "; " + std::to_string(failed) + " of " + std::to_string(ran) + " nameservers probed failed";
  if (auto iface = describe_default_interface(network); !iface.empty())
    evidence += "; default interface " + iface;
  // Every server failing means no name resolves at all; one failing slows lookups.
  const bool all_failed = failed == ran;
  std::vector<std::string> actions;
  if (is_windows(context.snapshot)) {
    // The DNS Client service caches failures too: flushing it is the Windows first step.
    actions.emplace_back("flush-dns-windows");
  } else {
    if (local_stub_failed) actions.emplace_back("flush-dns");
    actions.emplace_back("renew-dhcp");
    actions.emplace_back("restart-network-manager");
  }
  out.push_back(
      make_finding(rule, all_failed ? Severity::kCritical : Severity::kWarning, "",
                   all_failed ? "DNS resolution failing" : "DNS: some nameservers not answering",
                   std::move(evidence), std::move(actions)));
}

}  // namespace

const Rule kDnsFailing{
    .id = "network.dns_failing",
    .default_severity = Severity::kCritical,
    .condition =
        "The agent's DNS probe failed or timed out against every configured nameserver "
        "(critical) or against some of them (warning).",
    .kb_article =
        "Names do not resolve, so web sites, mail and network drives fail even though the "
        "network may be up (\"the internet is down\"). L1: renew the DHCP lease, restart the "
        "network manager; flush the local DNS cache when the resolver is a local stub. L2: check "
        "which nameservers DHCP/VPN pushed (what-changed view), firewalls blocking port 53, and "
        "the DNS servers themselves.",
    .evaluate = &evaluate,
};

}  // namespace triage::collector::rules
