#include "agent/probes/path_probe.hpp"

#include <arpa/inet.h>
#include <linux/errqueue.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "agent/probes/system_resolver.hpp"

namespace triage::agent {

namespace {

/// How long one hop is waited for before it counts as silent.
constexpr std::chrono::milliseconds kHopWait{1000};
constexpr int kTriesPerHop = 2;

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

/// What the error queue said about one datagram.
struct HopAnswer {
  enum class Kind { kNone, kRouter, kDestination, kStop } kind = Kind::kNone;
  std::string address;
  std::string note;
  std::uint16_t port = 0;  ///< the destination port of the datagram it answers: names the hop
  bool nothing = false;    ///< the queue was empty
};

std::string text_of(const sockaddr* address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address->sa_family == AF_INET) {
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, text,
                sizeof text);
  } else if (address->sa_family == AF_INET6) {
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, text,
                sizeof text);
  }
  return text;
}

std::string unreachable_note(bool v6, int code) {
  if (v6) {
    switch (code) {
      case ICMP6_DST_UNREACH_NOROUTE:
        return "no route to the host";
      case ICMP6_DST_UNREACH_ADMIN:
        return "administratively prohibited (a firewall)";
      case ICMP6_DST_UNREACH_ADDR:
        return "host unreachable";
      default:
        return "destination unreachable (code " + std::to_string(code) + ")";
    }
  }
  switch (code) {
    case ICMP_NET_UNREACH:
      return "network unreachable";
    case ICMP_HOST_UNREACH:
      return "host unreachable";
    case ICMP_NET_ANO:
    case ICMP_HOST_ANO:
    case ICMP_PKT_FILTERED:
      return "administratively prohibited (a firewall)";
    default:
      return "destination unreachable (code " + std::to_string(code) + ")";
  }
}

/// Reads one message of the socket's error queue.
HopAnswer read_error_queue(int fd, bool v6) {
  HopAnswer answer;
  unsigned char payload[64] = {};
  char control[512];
  sockaddr_storage from{};
  iovec iov{payload, sizeof payload};
  msghdr msg{};
  msg.msg_name = &from;
  msg.msg_namelen = sizeof from;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  if (::recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) {
    // A pending error without its queue entry (the queue was full): clear it, or poll would
    // report it again at once.
    int ignored = 0;
    socklen_t length = sizeof ignored;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &ignored, &length);
    answer.nothing = true;
    return answer;
  }
  // The original datagram's destination (not its payload: a router may quote only 8 bytes).
  if (from.ss_family == AF_INET) {
    answer.port = ntohs(reinterpret_cast<const sockaddr_in*>(&from)->sin_port);
  } else if (from.ss_family == AF_INET6) {
    answer.port = ntohs(reinterpret_cast<const sockaddr_in6*>(&from)->sin6_port);
  }
  for (auto* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    const bool ours = (c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
                      (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR);
    if (!ours) continue;
    sock_extended_err error{};
    std::memcpy(&error, CMSG_DATA(c), sizeof error);
    const auto* offender = SO_EE_OFFENDER(reinterpret_cast<sock_extended_err*>(CMSG_DATA(c)));
    if (error.ee_origin == SO_EE_ORIGIN_ICMP || error.ee_origin == SO_EE_ORIGIN_ICMP6) {
      answer.address = text_of(offender);
      const bool time_exceeded =
          v6 ? error.ee_type == ICMP6_TIME_EXCEEDED : error.ee_type == ICMP_TIME_EXCEEDED;
      const bool unreachable =
          v6 ? error.ee_type == ICMP6_DST_UNREACH : error.ee_type == ICMP_DEST_UNREACH;
      const bool port_unreachable =
          unreachable && error.ee_code == (v6 ? ICMP6_DST_UNREACH_NOPORT : ICMP_PORT_UNREACH);
      if (time_exceeded) {
        answer.kind = HopAnswer::Kind::kRouter;
      } else if (port_unreachable) {
        answer.kind = HopAnswer::Kind::kDestination;
      } else {
        answer.kind = HopAnswer::Kind::kStop;
        answer.note = unreachable ? unreachable_note(v6, error.ee_code)
                                  : "ICMP type " + std::to_string(error.ee_type);
      }
    } else {
      // A local error: no route, the interface is down.
      answer.kind = HopAnswer::Kind::kStop;
      answer.note = std::strerror(static_cast<int>(error.ee_errno));
    }
  }
  return answer;
}

}  // namespace

void run_path_probe(const v1::ProbePayload& request, ProbeBudget& budget,
                    const ProbeEnvironment& env, v1::ProbeResult& result) {
  const auto& params = request.path();
  auto* out = result.mutable_path();
  out->set_method("udp");
  std::string error;
  const auto candidates = resolve_probe_target(params.host(), budget, error);
  if (candidates.empty()) {
    out->set_error(error);
    return;
  }
  // The first address a probe may send to; a scoped link-local one ("fe80::1%eth0") is no
  // destination of its own and does not parse here.
  sockaddr_storage target{};
  socklen_t target_length = 0;
  std::string address;
  for (const auto& candidate : candidates) {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&target);
    auto* sin = reinterpret_cast<sockaddr_in*>(&target);
    if (::inet_pton(AF_INET6, candidate.c_str(), &sin6->sin6_addr) == 1) {
      sin6->sin6_family = AF_INET6;
      target_length = sizeof *sin6;
    } else if (::inet_pton(AF_INET, candidate.c_str(), &sin->sin_addr) == 1) {
      sin->sin_family = AF_INET;
      target_length = sizeof *sin;
    } else {
      continue;
    }
    address = candidate;
    break;
  }
  if (address.empty()) {
    out->set_error("the name resolved to no address that names one host");
    return;
  }
  out->set_address(address);
  const bool v6 = target.ss_family == AF_INET6;
  Fd socket{::socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)};
  const int on = 1;
  if (socket.fd < 0 || ::setsockopt(socket.fd, v6 ? SOL_IPV6 : SOL_IP,
                                    v6 ? IPV6_RECVERR : IP_RECVERR, &on, sizeof on) != 0) {
    out->set_error(std::string("no datagram socket: ") + std::strerror(errno));
    return;
  }

  for (std::uint32_t ttl = 1; ttl <= params.max_hops(); ++ttl) {
    auto* hop = out->add_hops();
    hop->set_ttl(ttl);
    const int hops = static_cast<int>(ttl);
    ::setsockopt(socket.fd, v6 ? SOL_IPV6 : SOL_IP, v6 ? IPV6_UNICAST_HOPS : IP_TTL, &hops,
                 sizeof hops);
    const auto port = static_cast<std::uint16_t>(env.path_base_port + ttl - 1);
    if (v6) {
      reinterpret_cast<sockaddr_in6*>(&target)->sin6_port = htons(port);
    } else {
      reinterpret_cast<sockaddr_in*>(&target)->sin_port = htons(port);
    }
    HopAnswer answer;
    for (int attempt = 0; attempt < kTriesPerHop && answer.kind == HopAnswer::Kind::kNone;
         ++attempt) {
      if (budget.expired()) break;
      // Each hop has its own destination port, so a late answer for an earlier hop is not
      // taken for this one.
      const unsigned char payload[32] = {};
      const auto sent_at = ProbeBudget::Clock::now();
      if (::sendto(socket.fd, payload, sizeof payload, 0, reinterpret_cast<sockaddr*>(&target),
                   target_length) < 0 &&
          errno != ECONNREFUSED) {  // ECONNREFUSED: an earlier hop's "port unreachable"
        // No route, the network down: the kernel says so at once and queues nothing.
        hop->set_note(std::string("could not send: ") + std::strerror(errno));
        return;
      }
      const auto wait_until = std::min(sent_at + kHopWait, budget.deadline());
      while (answer.kind == HopAnswer::Kind::kNone) {
        const auto now = ProbeBudget::Clock::now();
        if (now >= wait_until) break;
        pollfd fd{socket.fd, POLLIN, 0};  // POLLERR is always reported
        const auto wait_ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(wait_until - now).count() + 1;
        if (::poll(&fd, 1, static_cast<int>(wait_ms)) <= 0) continue;
        if (fd.revents & POLLERR) {
          auto got = read_error_queue(socket.fd, v6);
          if (!got.nothing && got.port == port) answer = std::move(got);
        } else if (fd.revents & POLLIN) {
          // Something on the host answers on this port: the host is reached all the same (a
          // datagram from anyone else is not taken for its answer).
          unsigned char ignored[64];
          sockaddr_storage from{};
          socklen_t from_length = sizeof from;
          if (::recvfrom(socket.fd, ignored, sizeof ignored, MSG_DONTWAIT,
                         reinterpret_cast<sockaddr*>(&from), &from_length) >= 0 &&
              text_of(reinterpret_cast<sockaddr*>(&from)) == address) {
            answer.kind = HopAnswer::Kind::kDestination;
            answer.address = address;
          }
        }
      }
      if (answer.kind != HopAnswer::Kind::kNone) {
        hop->set_rtt_ms(static_cast<double>(std::chrono::duration_cast<std::chrono::microseconds>(
                                                ProbeBudget::Clock::now() - sent_at)
                                                .count()) /
                        1000.0);
      }
    }
    switch (answer.kind) {
      case HopAnswer::Kind::kNone:
        hop->set_note("no answer");
        if (budget.expired()) {
          budget.cut("time budget ran out at hop " + std::to_string(ttl));
          return;
        }
        break;
      case HopAnswer::Kind::kRouter:
        hop->set_address(answer.address);
        break;
      case HopAnswer::Kind::kDestination:
        hop->set_address(answer.address);
        hop->set_reached(true);
        out->set_reached(true);
        return;
      case HopAnswer::Kind::kStop:
        hop->set_address(answer.address);
        hop->set_note(answer.note);
        return;
    }
  }
}

}  // namespace triage::agent
