#pragma once
// The key under which a peer's attempts are counted (login throttling, enrollment audit).

#include <string>
#include <string_view>

namespace triage::collector {

/// The throttling key of a peer address "ip:port": the IP, and for IPv6 its /64 network,
/// because one host usually owns a whole /64 and could otherwise rotate addresses.
std::string client_key(std::string_view remote_address);

}  // namespace triage::collector
