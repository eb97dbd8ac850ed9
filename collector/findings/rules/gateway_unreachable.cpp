// network.gateway_unreachable: the default gateway did not answer the agent's ping.
#include <string>

#include "collector/findings/rules/probe_text.hpp"
#include "collector/findings/rules/rules.hpp"

namespace triage::collector::rules {
namespace {

void evaluate(const Rule& rule, const RuleContext& context, std::vector<Finding>& out) {
  const auto& network = context.snapshot.network();
  bool collector_reached = false;
  for (const auto& probe : network.probes()) {
    if (probe.kind() == v1::Probe::COLLECTOR && probe.result() == v1::Probe::OK)
      collector_reached = true;
  }
  for (const auto& probe : network.probes()) {
    if (probe.kind() != v1::Probe::GATEWAY || !probe_failed(probe)) continue;
    std::string evidence =
        "ping to default gateway " + probe.target() + ": " + probe_result_name(probe.result());
    if (!probe.message().empty()) evidence += " (" + probe.message() + ")";
    if (auto iface = describe_default_interface(network); !iface.empty())
      evidence += "; default interface " + iface;
    // Some routers drop ICMP; traffic through them still flows.
    if (collector_reached) evidence += "; the collector itself was reachable";
    out.push_back(make_finding(rule, Severity::kWarning, probe.target(),
                               "Default gateway " + probe.target() + " unreachable",
                               std::move(evidence), {"renew-dhcp", "restart-network-manager"}));
  }
}

}  // namespace

const Rule kGatewayUnreachable{
    .id = "network.gateway_unreachable",
    .default_severity = Severity::kWarning,
    .condition = "The agent's ping (ICMP echo) to the default IPv4 gateway failed or timed out.",
    .kb_article =
        "The machine cannot reach its router: no traffic leaves the local network. Common "
        "causes: weak Wi-Fi, a cable or dock problem, an expired DHCP lease, a captive portal. "
        "Some routers ignore ping, so check the evidence for other probes that succeeded. L1: "
        "renew the DHCP lease, restart the network manager, ask the user to reconnect Wi-Fi or "
        "the cable. L2: check the interface state and signal, the switch port, the lease.",
    .evaluate = &evaluate,
};

}  // namespace triage::collector::rules
