#pragma once
// Name resolution through the endpoint's own resolver (getaddrinfo: /etc/hosts, nsswitch,
// systemd-resolved, whatever the machine uses), bounded by a deadline. getaddrinfo cannot be
// interrupted, so it runs on a short-lived thread of its own that the caller stops waiting
// for at the deadline; at most a few such lookups are outstanding at once. POSIX (posix/).

#include <cstdint>
#include <string>
#include <vector>

#include "agent/probes/probe_budget.hpp"

namespace triage::agent {

struct Resolution {
  std::vector<std::string> addresses;  ///< numeric, in the resolver's order, no duplicates
  std::string error;                   ///< "" on success
  bool timed_out = false;              ///< the deadline came first
  std::uint64_t duration_ms = 0;
};

/// Resolves `host` (a name or an address) to TCP addresses; at most 16 are kept.
Resolution resolve_system(const std::string& host, ProbeBudget::Clock::time_point deadline);

/// The addresses of `resolution` a probe may send to: those the parameter rules would accept
/// as one host (a name can resolve to what no parameter could name — 0.0.0.0 from a DNS
/// sinkhole, a multicast group), in the resolver's order.
std::vector<std::string> probeable_addresses(const Resolution& resolution);

/// A probe's target host resolved within `budget`, as the addresses it may send to. Empty when
/// there is none: the budget is then cut (the resolver did not answer in time) or `error`
/// says why ("the name did not resolve: ...", or only addresses no parameter could name).
std::vector<std::string> resolve_probe_target(const std::string& host, ProbeBudget& budget,
                                              std::string& error);

}  // namespace triage::agent
