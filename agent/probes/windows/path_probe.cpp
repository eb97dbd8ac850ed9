// Windows: the route hop by hop through the ICMP helper (IcmpSendEcho2 with a time-to-live in
// the request's options), as tracert does: an echo request with TTL 1, 2, ..., each router
// answering "TTL expired in transit" and the host itself with the echo reply. The helper needs
// no privilege; two requests a hop at most, a second each. IPv4 only in this version (the
// ICMPv6 helper's reply type is missing from MinGW-w64's headers): a host with only IPv6
// addresses is said to be out of reach of this probe, not silently skipped.
#include "agent/probes/path_probe.hpp"

#include <winsock2.h>
#include <ws2tcpip.h>
// After winsock2.h: iphlpapi.h needs its types.
#include <iphlpapi.h>
// After iphlpapi.h: icmpapi.h needs IPAddr and IP_OPTION_INFORMATION from it.
#include <icmpapi.h>

#include <cstring>
#include <vector>

#include "agent/probes/system_resolver.hpp"

namespace triage::agent {

namespace {

constexpr DWORD kHopWaitMs = 1000;
constexpr int kTriesPerHop = 2;

struct IcmpHandle {
  HANDLE handle = INVALID_HANDLE_VALUE;
  ~IcmpHandle() {
    if (handle != INVALID_HANDLE_VALUE) ::IcmpCloseHandle(handle);
  }
};

/// What one echo request brought back.
struct Echo {
  ULONG status = IP_REQ_TIMED_OUT;
  std::string address;
  double rtt_ms = 0;
};

std::string text_of(int family, const void* address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (::inet_ntop(family, address, text, sizeof text) == nullptr) return "";
  return text;
}

Echo echo_v4(HANDLE icmp, const in_addr& target, int ttl, DWORD wait_ms) {
  Echo out;
  char payload[32] = {};
  IP_OPTION_INFORMATION options{};
  options.Ttl = static_cast<UCHAR>(ttl);
  std::vector<unsigned char> reply(sizeof(ICMP_ECHO_REPLY) + sizeof payload + 8 + 64);
  const DWORD count =
      ::IcmpSendEcho2(icmp, nullptr, nullptr, nullptr, target.s_addr, payload, sizeof payload,
                      &options, reply.data(), static_cast<DWORD>(reply.size()), wait_ms);
  if (count == 0) {
    out.status = ::GetLastError();  // IP_REQ_TIMED_OUT, or what kept the request from leaving
    return out;
  }
  const auto* r = reinterpret_cast<const ICMP_ECHO_REPLY*>(reply.data());
  out.status = r->Status;
  in_addr from{};
  from.s_addr = r->Address;
  out.address = text_of(AF_INET, &from);
  out.rtt_ms = static_cast<double>(r->RoundTripTime);
  return out;
}

/// A stop that is not a router on the way: the reason for the hop's note; "" otherwise.
std::string stop_note(ULONG status) {
  switch (status) {
    case IP_DEST_NET_UNREACHABLE:
      return "network unreachable";
    case IP_DEST_HOST_UNREACHABLE:
      return "host unreachable";
    case IP_DEST_PROT_UNREACHABLE:  // also IP_DEST_PROHIBITED: the same code
    case IP_DEST_PORT_UNREACHABLE:
      return "destination unreachable or administratively prohibited";
    case IP_BAD_ROUTE:
    case IP_BAD_DESTINATION:
      return "no route to the host";
    default:
      return "ICMP status " + std::to_string(status);
  }
}

}  // namespace

void run_path_probe(const v1::ProbePayload& request, ProbeBudget& budget, const ProbeEnvironment&,
                    v1::ProbeResult& result) {
  const auto& params = request.path();
  auto* out = result.mutable_path();
  out->set_method("icmp");
  std::string error;
  const auto candidates = resolve_probe_target(params.host(), budget, error);
  if (candidates.empty()) {
    out->set_error(error);
    return;
  }
  // The first IPv4 address a probe may send to.
  in_addr v4{};
  std::string address;
  for (const auto& candidate : candidates) {
    if (::inet_pton(AF_INET, candidate.c_str(), &v4) == 1) {
      address = candidate;
      break;
    }
  }
  if (address.empty()) {
    out->set_error(
        "the host has only IPv6 addresses: the path probe on Windows follows IPv4 only in this "
        "version");
    return;
  }
  out->set_address(address);
  IcmpHandle icmp{::IcmpCreateFile()};
  if (icmp.handle == INVALID_HANDLE_VALUE) {
    out->set_error("the ICMP helper could not be opened (error " +
                   std::to_string(::GetLastError()) + ")");
    return;
  }

  for (std::uint32_t ttl = 1; ttl <= params.max_hops(); ++ttl) {
    auto* hop = out->add_hops();
    hop->set_ttl(ttl);
    Echo echo;
    for (int attempt = 0; attempt < kTriesPerHop; ++attempt) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                            budget.deadline() - ProbeBudget::Clock::now())
                            .count();
      if (left <= 0) break;
      const auto wait = static_cast<DWORD>(std::min<long long>(left, kHopWaitMs));
      echo = echo_v4(icmp.handle, v4, static_cast<int>(ttl), wait);
      if (echo.status != IP_REQ_TIMED_OUT) break;
    }
    if (echo.status == IP_REQ_TIMED_OUT) {
      hop->set_note("no answer");
      if (budget.expired()) {
        budget.cut("time budget ran out at hop " + std::to_string(ttl));
        return;
      }
      continue;
    }
    hop->set_address(echo.address);
    hop->set_rtt_ms(echo.rtt_ms);
    if (echo.status == IP_SUCCESS) {
      hop->set_reached(true);
      out->set_reached(true);
      return;
    }
    if (echo.status == IP_TTL_EXPIRED_TRANSIT || echo.status == IP_TTL_EXPIRED_REASSEM) continue;
    hop->set_note(stop_note(echo.status));
    return;
  }
}

}  // namespace triage::agent
