// Active network probes with hard timeouts on Windows: one DNS query over UDP and a TCP connect
// on non-blocking Winsock sockets with select(), and an ICMP echo through IcmpSendEcho (no raw
// socket, so no administrator needed). Windows (the DNS messages themselves: dns_message.cpp).
#include <winsock2.h>
// ws2tcpip after winsock2, windows.h after both, iphlpapi and icmpapi last.
#include <ws2tcpip.h>
//
#include <windows.h>
//
#include <iphlpapi.h>
//
#include <icmpapi.h>
// A COM macro (`#define interface struct`) that breaks the snapshot's generated code.
#undef interface

#include <chrono>
#include <cstring>
#include <random>

#include "agent/collectors/net_probe.hpp"
#include "shared/util/windows/wide_string.hpp"

namespace triage::agent {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

/// Winsock for the duration of one probe (WSAStartup counts its callers).
class WinsockSession {
 public:
  WinsockSession() {
    WSADATA data;
    ok_ = ::WSAStartup(MAKEWORD(2, 2), &data) == 0;
  }
  ~WinsockSession() {
    if (ok_) ::WSACleanup();
  }
  WinsockSession(const WinsockSession&) = delete;
  WinsockSession& operator=(const WinsockSession&) = delete;
  bool ok() const { return ok_; }

 private:
  bool ok_ = false;
};

class Socket {
 public:
  explicit Socket(SOCKET s) : s_(s) {}
  ~Socket() {
    if (s_ != INVALID_SOCKET) ::closesocket(s_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  SOCKET get() const { return s_; }
  bool valid() const { return s_ != INVALID_SOCKET; }

 private:
  SOCKET s_;
};

ProbeOutcome failed(std::string message) {
  ProbeOutcome o;
  o.result = v1::Probe::FAILED;
  o.message = std::move(message);
  return o;
}

ProbeOutcome socket_error(const std::string& what) {
  return failed(what + ": " + windows_error_text(static_cast<DWORD>(::WSAGetLastError())));
}

bool parse_address(const std::string& text, sockaddr_storage& addr, int& len, std::uint16_t port) {
  std::memset(&addr, 0, sizeof addr);
  auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
  if (::inet_pton(AF_INET, text.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    len = sizeof(sockaddr_in);
    return true;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
  if (::inet_pton(AF_INET6, text.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    len = sizeof(sockaddr_in6);
    return true;
  }
  return false;
}

bool set_non_blocking(SOCKET s) {
  u_long on = 1;
  return ::ioctlsocket(s, FIONBIO, &on) == 0;
}

/// Waits until `s` is readable (or writable, or failed to connect) before `deadline`.
enum class Ready { kYes, kFailed, kTimeout };
Ready wait_for(SOCKET s, bool write, Clock::time_point deadline) {
  auto left =
      std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now()).count();
  if (left <= 0) return Ready::kTimeout;
  fd_set ready, failed_set;
  FD_ZERO(&ready);
  FD_ZERO(&failed_set);
  FD_SET(s, &ready);
  FD_SET(s, &failed_set);
  timeval tv{static_cast<long>(left / 1'000'000), static_cast<long>(left % 1'000'000)};
  int r = ::select(0, write ? nullptr : &ready, write ? &ready : nullptr, &failed_set, &tv);
  if (r == 0) return Ready::kTimeout;
  if (r < 0 || FD_ISSET(s, &failed_set)) return Ready::kFailed;
  return Ready::kYes;
}

/// The IP_STATUS codes a router or the stack answers an echo with instead of a reply.
/// The request's transmit timestamp: random, so that only a reply to this request can echo it.
NtpTimestamp random_cookie() {
  std::random_device random;
  return (static_cast<NtpTimestamp>(random()) << 32) | random();
}

std::string icmp_status_text(DWORD status) {
  switch (status) {
    case IP_DEST_NET_UNREACHABLE:
      return "destination network unreachable";
    case IP_DEST_HOST_UNREACHABLE:
      return "destination host unreachable";
    case IP_TTL_EXPIRED_TRANSIT:
      return "TTL expired in transit";
    case IP_GENERAL_FAILURE:
      return "general failure (no route, or the adapter is down)";
    default:
      return "ICMP status " + std::to_string(status);
  }
}

}  // namespace

ProbeOutcome probe_dns(const std::string& server, const std::string& name,
                       std::chrono::milliseconds timeout) {
  WinsockSession winsock;
  if (!winsock.ok()) return failed("Winsock is not available");
  sockaddr_storage addr;
  int len = 0;
  if (!parse_address(server, addr, len, 53)) return failed("not an IP address");
  auto id = static_cast<std::uint16_t>(Clock::now().time_since_epoch().count() & 0xffff);
  auto query = build_dns_query(id, name);
  if (query.empty()) return failed("invalid name");
  Socket s(::socket(addr.ss_family, SOCK_DGRAM, IPPROTO_UDP));
  if (!s.valid() || !set_non_blocking(s.get())) return socket_error("socket");
  auto start = Clock::now();
  auto deadline = start + timeout;
  if (::connect(s.get(), reinterpret_cast<sockaddr*>(&addr), len) != 0)
    return socket_error("connect");
  if (::send(s.get(), query.data(), static_cast<int>(query.size()), 0) == SOCKET_ERROR)
    return socket_error("send");
  char buf[1500];
  for (;;) {
    auto ready = wait_for(s.get(), false, deadline);
    if (ready == Ready::kTimeout) break;
    if (ready == Ready::kFailed) return socket_error("no answer");
    int n = ::recv(s.get(), buf, sizeof buf, 0);
    if (n == SOCKET_ERROR) {
      if (::WSAGetLastError() == WSAEWOULDBLOCK) continue;
      return socket_error("no answer");  // WSAECONNRESET: ICMP port unreachable, nothing listens
    }
    auto answer = parse_dns_response(std::string_view(buf, static_cast<std::size_t>(n)), id);
    if (!answer.valid) continue;
    return dns_outcome(answer, name, ms_since(start));
  }
  ProbeOutcome o;
  o.result = v1::Probe::TIMEOUT;
  o.message = "no answer within " + std::to_string(timeout.count()) + " ms";
  return o;
}

SntpOutcome probe_sntp(const std::string& address, std::chrono::milliseconds timeout,
                       std::uint16_t port) {
  SntpOutcome o;
  WinsockSession winsock;
  if (!winsock.ok()) {
    o.probe = failed("Winsock is not available");
    return o;
  }
  sockaddr_storage addr;
  int len = 0;
  if (!parse_address(address, addr, len, port)) {
    o.probe = failed("not an IP address");
    return o;
  }
  Socket s(::socket(addr.ss_family, SOCK_DGRAM, IPPROTO_UDP));
  if (!s.valid() || !set_non_blocking(s.get())) {
    o.probe = socket_error("socket");
    return o;
  }
  const NtpTimestamp cookie = random_cookie();
  const auto request = build_sntp_request(cookie);
  const auto deadline = Clock::now() + timeout;
  if (::connect(s.get(), reinterpret_cast<sockaddr*>(&addr), len) != 0) {
    o.probe = socket_error("connect");
    return o;
  }
  const auto t1 = to_ntp_timestamp(std::chrono::system_clock::now());
  if (::send(s.get(), request.data(), static_cast<int>(request.size()), 0) == SOCKET_ERROR) {
    o.probe = socket_error("send");
    return o;
  }
  char buf[512];
  for (;;) {
    auto ready = wait_for(s.get(), false, deadline);
    if (ready == Ready::kTimeout) break;
    if (ready == Ready::kFailed) {
      o.probe = socket_error("no answer");
      return o;
    }
    int n = ::recv(s.get(), buf, sizeof buf, 0);
    const auto t4 = to_ntp_timestamp(std::chrono::system_clock::now());
    if (n == SOCKET_ERROR) {
      if (::WSAGetLastError() == WSAEWOULDBLOCK) continue;
      o.probe = socket_error("no answer");  // WSAECONNRESET: ICMP port unreachable
      return o;
    }
    auto answer = parse_sntp_response(std::string_view(buf, static_cast<std::size_t>(n)), cookie);
    if (answer.valid) return sntp_outcome(answer, t1, t4);
    // A kiss-o'-death or an unsynchronised server is its answer; a stray datagram is not.
    if (answer.error != "answers another request") {
      o.probe = failed("server answered: " + answer.error);
      return o;
    }
  }
  o.probe.result = v1::Probe::TIMEOUT;
  o.probe.message = "no answer within " + std::to_string(timeout.count()) + " ms";
  return o;
}

ProbeOutcome probe_tcp(const std::string& address, std::uint16_t port,
                       std::chrono::milliseconds timeout) {
  WinsockSession winsock;
  if (!winsock.ok()) return failed("Winsock is not available");
  sockaddr_storage addr;
  int len = 0;
  if (!parse_address(address, addr, len, port)) return failed("not an IP address: " + address);
  Socket s(::socket(addr.ss_family, SOCK_STREAM, IPPROTO_TCP));
  if (!s.valid() || !set_non_blocking(s.get())) return socket_error("socket");
  auto start = Clock::now();
  if (::connect(s.get(), reinterpret_cast<sockaddr*>(&addr), len) != 0 &&
      ::WSAGetLastError() != WSAEWOULDBLOCK) {
    return socket_error("connect");
  }
  auto ready = wait_for(s.get(), true, start + timeout);
  if (ready == Ready::kTimeout) {
    ProbeOutcome o;
    o.result = v1::Probe::TIMEOUT;
    o.message = "no TCP answer within " + std::to_string(timeout.count()) + " ms";
    return o;
  }
  int err = 0;
  int elen = sizeof err;
  ::getsockopt(s.get(), SOL_SOCKET, SO_ERROR, reinterpret_cast<char*>(&err), &elen);
  if (ready == Ready::kFailed || err != 0)
    return failed("connect: " + windows_error_text(static_cast<DWORD>(err)));
  ProbeOutcome o;
  o.result = v1::Probe::OK;
  o.latency_ms = ms_since(start);
  o.message = "connected";
  return o;
}

ProbeOutcome probe_icmp(const std::string& address, std::chrono::milliseconds timeout) {
  IN_ADDR target{};
  if (::inet_pton(AF_INET, address.c_str(), &target) != 1) return failed("not an IPv4 address");
  HANDLE icmp = ::IcmpCreateFile();
  if (icmp == INVALID_HANDLE_VALUE) return failed(last_error_text("IcmpCreateFile"));
  char payload[] = "triage";
  // Room for one reply, its payload and the ICMP error a router may send instead.
  unsigned char reply[sizeof(ICMP_ECHO_REPLY) + sizeof payload + 8 + 64] = {};
  auto start = Clock::now();
  DWORD replies = ::IcmpSendEcho(icmp, target.S_un.S_addr, payload, sizeof payload, nullptr, reply,
                                 sizeof reply, static_cast<DWORD>(timeout.count()));
  DWORD error = ::GetLastError();
  ::IcmpCloseHandle(icmp);
  ProbeOutcome o;
  const auto* echo = reinterpret_cast<const ICMP_ECHO_REPLY*>(reply);
  if (replies > 0 && echo->Status == IP_SUCCESS) {
    o.result = v1::Probe::OK;
    o.latency_ms = ms_since(start);
    o.message = "echo reply";
    return o;
  }
  if (replies == 0 && (error == IP_REQ_TIMED_OUT || error == WAIT_TIMEOUT || error == 0)) {
    o.result = v1::Probe::TIMEOUT;
    o.message = "no echo reply within " + std::to_string(timeout.count()) + " ms";
    return o;
  }
  if (replies > 0 && echo->Status == IP_REQ_TIMED_OUT) {
    o.result = v1::Probe::TIMEOUT;
    o.message = "no echo reply within " + std::to_string(timeout.count()) + " ms";
    return o;
  }
  return failed(icmp_status_text(replies > 0 ? echo->Status : error));
}

}  // namespace triage::agent
