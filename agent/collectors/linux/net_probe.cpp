// Active network probes with hard timeouts: ICMP echo, one DNS query over UDP, TCP connect.
// Non-blocking sockets and poll() only, so no probe can outlive its timeout. Linux (the DNS
// messages themselves: dns_message.cpp).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "agent/collectors/net_probe.hpp"

namespace triage::agent {
namespace {

using Clock = std::chrono::steady_clock;

struct Socket {
  int fd = -1;
  explicit Socket(int f) : fd(f) {}
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket() {
    if (fd >= 0) ::close(fd);
  }
};

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

bool parse_address(const std::string& text, sockaddr_storage& addr, socklen_t& len,
                   std::uint16_t port) {
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

ProbeOutcome error_outcome(std::string what) {
  ProbeOutcome o;
  o.result = v1::Probe::FAILED;
  o.message = std::move(what) + ": " + std::strerror(errno);
  return o;
}

/// Waits for `events` on `fd` until `deadline`; false on timeout.
bool wait_for(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, events, 0};
    int r = ::poll(&p, 1, static_cast<int>(left));
    if (r > 0) return true;
    if (r < 0 && errno != EINTR) return false;
  }
}

/// The request's transmit timestamp: random, so that only a reply to this request can echo it.
NtpTimestamp random_cookie() {
  std::random_device random;
  return (static_cast<NtpTimestamp>(random()) << 32) | random();
}

std::uint16_t icmp_checksum(const unsigned char* data, std::size_t len) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < len; i += 2)
    sum += static_cast<std::uint32_t>(data[i] << 8 | data[i + 1]);
  if (len & 1) sum += static_cast<std::uint32_t>(data[len - 1] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

}  // namespace

ProbeOutcome probe_dns(const std::string& server, const std::string& name,
                       std::chrono::milliseconds timeout) {
  sockaddr_storage addr;
  socklen_t len = 0;
  ProbeOutcome o;
  if (!parse_address(server, addr, len, 53)) {
    o.result = v1::Probe::FAILED;
    o.message = "not an IP address";
    return o;
  }
  Socket s(::socket(addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (s.fd < 0) return error_outcome("socket");
  auto id = static_cast<std::uint16_t>(Clock::now().time_since_epoch().count() & 0xffff);
  auto query = build_dns_query(id, name);
  if (query.empty()) {
    o.result = v1::Probe::FAILED;
    o.message = "invalid name";
    return o;
  }
  auto start = Clock::now();
  auto deadline = start + timeout;
  if (::connect(s.fd, reinterpret_cast<sockaddr*>(&addr), len) != 0)
    return error_outcome("connect");
  if (::send(s.fd, query.data(), query.size(), 0) < 0) return error_outcome("send");
  char buf[1500];
  while (wait_for(s.fd, POLLIN, deadline)) {
    ssize_t n = ::recv(s.fd, buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return error_outcome("no answer");  // ICMP port unreachable: nothing listens
    }
    auto answer = parse_dns_response(std::string_view(buf, static_cast<std::size_t>(n)), id);
    if (!answer.valid) continue;
    return dns_outcome(answer, name, ms_since(start));
  }
  o.result = v1::Probe::TIMEOUT;
  o.message = "no answer within " + std::to_string(timeout.count()) + " ms";
  return o;
}

SntpOutcome probe_sntp(const std::string& address, std::chrono::milliseconds timeout,
                       std::uint16_t port) {
  SntpOutcome o;
  sockaddr_storage addr;
  socklen_t len = 0;
  if (!parse_address(address, addr, len, port)) {
    o.probe.result = v1::Probe::FAILED;
    o.probe.message = "not an IP address";
    return o;
  }
  Socket s(::socket(addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (s.fd < 0) {
    o.probe = error_outcome("socket");
    return o;
  }
  const NtpTimestamp cookie = random_cookie();
  const auto request = build_sntp_request(cookie);
  const auto deadline = Clock::now() + timeout;
  if (::connect(s.fd, reinterpret_cast<sockaddr*>(&addr), len) != 0) {
    o.probe = error_outcome("connect");
    return o;
  }
  const auto t1 = to_ntp_timestamp(std::chrono::system_clock::now());
  if (::send(s.fd, request.data(), request.size(), 0) < 0) {
    o.probe = error_outcome("send");
    return o;
  }
  char buf[512];
  std::string last_error;
  while (wait_for(s.fd, POLLIN, deadline)) {
    ssize_t n = ::recv(s.fd, buf, sizeof buf, 0);
    const auto t4 = to_ntp_timestamp(std::chrono::system_clock::now());
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      o.probe = error_outcome("no answer");  // ICMP port unreachable: nothing listens
      return o;
    }
    auto answer = parse_sntp_response(std::string_view(buf, static_cast<std::size_t>(n)), cookie);
    if (answer.valid) return sntp_outcome(answer, t1, t4);
    // A kiss-o'-death or an unsynchronised server is its answer; a stray datagram is not.
    if (answer.error != "answers another request") {
      o.probe.result = v1::Probe::FAILED;
      o.probe.message = "server answered: " + answer.error;
      return o;
    }
  }
  o.probe.result = v1::Probe::TIMEOUT;
  o.probe.message = "no answer within " + std::to_string(timeout.count()) + " ms";
  return o;
}

ProbeOutcome probe_tcp(const std::string& address, std::uint16_t port,
                       std::chrono::milliseconds timeout) {
  sockaddr_storage addr;
  socklen_t len = 0;
  ProbeOutcome o;
  if (!parse_address(address, addr, len, port)) {
    o.result = v1::Probe::FAILED;
    o.message = "not an IP address: " + address;
    return o;
  }
  Socket s(::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (s.fd < 0) return error_outcome("socket");
  auto start = Clock::now();
  if (::connect(s.fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 && errno != EINPROGRESS)
    return error_outcome("connect");
  if (!wait_for(s.fd, POLLOUT, start + timeout)) {
    o.result = v1::Probe::TIMEOUT;
    o.message = "no TCP answer within " + std::to_string(timeout.count()) + " ms";
    return o;
  }
  int err = 0;
  socklen_t elen = sizeof err;
  ::getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &elen);
  if (err != 0) {
    errno = err;
    return error_outcome("connect");
  }
  o.result = v1::Probe::OK;
  o.latency_ms = ms_since(start);
  o.message = "connected";
  return o;
}

ProbeOutcome probe_icmp(const std::string& address, std::chrono::milliseconds timeout) {
  ProbeOutcome o;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  if (::inet_pton(AF_INET, address.c_str(), &addr.sin_addr) != 1) {
    o.result = v1::Probe::FAILED;
    o.message = "not an IPv4 address";
    return o;
  }
  // Unprivileged ping sockets when net.ipv4.ping_group_range allows, raw sockets as root.
  bool raw = false;
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
  if (fd < 0) {
    fd = ::socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
    raw = true;
  }
  Socket s(fd);
  if (s.fd < 0) return error_outcome("ICMP socket");
  unsigned char packet[16] = {ICMP_ECHO, 0,   0,   0,   0x74, 0x72, 0, 1,
                              't',       'r', 'i', 'a', 'g',  'e',  0, 0};
  auto sum = icmp_checksum(packet, sizeof packet);
  packet[2] = static_cast<unsigned char>(sum >> 8);
  packet[3] = static_cast<unsigned char>(sum & 0xff);
  auto start = Clock::now();
  if (::sendto(s.fd, packet, sizeof packet, 0, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
    return error_outcome("send");
  unsigned char buf[1500];
  while (wait_for(s.fd, POLLIN, start + timeout)) {
    sockaddr_in from{};
    socklen_t flen = sizeof from;
    ssize_t n = ::recvfrom(s.fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &flen);
    if (n <= 0) continue;
    std::size_t off = raw ? static_cast<std::size_t>((buf[0] & 0x0f) * 4) : 0;
    if (static_cast<std::size_t>(n) < off + 8 || from.sin_addr.s_addr != addr.sin_addr.s_addr)
      continue;
    if (buf[off] != ICMP_ECHOREPLY) continue;
    o.result = v1::Probe::OK;
    o.latency_ms = ms_since(start);
    o.message = "echo reply";
    return o;
  }
  o.result = v1::Probe::TIMEOUT;
  o.message = "no echo reply within " + std::to_string(timeout.count()) + " ms";
  return o;
}

}  // namespace triage::agent
