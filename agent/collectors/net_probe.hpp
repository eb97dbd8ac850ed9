#pragma once
// Active network probes with hard timeouts: ICMP echo, DNS over UDP, TCP connect, SNTP. The DNS
// and SNTP message code is portable (dns_message.cpp, sntp_message.cpp); the sockets are each
// platform's:
// linux/net_probe.cpp (non-blocking sockets and poll), windows/net_probe.cpp (Winsock and
// IcmpSendEcho2).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "agent/collectors/sntp_message.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// What one probe found.
struct ProbeOutcome {
  v1::Probe::Result result = v1::Probe::RESULT_UNSPECIFIED;
  std::optional<double> latency_ms;
  std::string message;
  std::string resolved;  ///< DNS: first IPv4 answer
};
/// A DNS query packet for the A record of `name` (empty for an invalid name).
std::string build_dns_query(std::uint16_t id, std::string_view name);
/// The parts of a DNS response the probe reports.
struct DnsAnswer {
  bool valid = false;
  int rcode = 0;
  std::uint16_t answers = 0;
  std::string first_ipv4;
};
/// Decodes a response to query `id` (invalid when it answers another query or is malformed).
DnsAnswer parse_dns_response(std::string_view data, std::uint16_t id);
/// The outcome of the DNS probe for a valid `answer` to its query for `name`.
ProbeOutcome dns_outcome(const DnsAnswer& answer, const std::string& name, double latency_ms);
/// Asks `server` (port 53, UDP) for the A record of `name`.
ProbeOutcome probe_dns(const std::string& server, const std::string& name,
                       std::chrono::milliseconds timeout);
/// Connects to `address`:`port` over TCP and measures the handshake.
ProbeOutcome probe_tcp(const std::string& address, std::uint16_t port,
                       std::chrono::milliseconds timeout);
/// What the time probe found: `probe` as the other probes say it, and when the server
/// answered (probe.result OK), the local clock's offset from it.
struct SntpOutcome {
  ProbeOutcome probe;
  std::optional<double> offset_ms;
  std::optional<double> round_trip_ms;
  int stratum = 0;
};
/// The outcome of the time probe for a valid `answer` received at `t4` to a request sent at `t1`.
SntpOutcome sntp_outcome(const SntpAnswer& answer, NtpTimestamp t1, NtpTimestamp t4);
/// One SNTP request to `address` (UDP port `port`, 123 for a real server).
SntpOutcome probe_sntp(const std::string& address, std::chrono::milliseconds timeout,
                       std::uint16_t port = 123);
/// One ICMP echo to `address` (unprivileged ping socket, else a raw socket as root).
ProbeOutcome probe_icmp(const std::string& address, std::chrono::milliseconds timeout);

}  // namespace triage::agent
