// Live Host on Linux: statvfs, adjtimex and getifaddrs (the rest: live_host_base.hpp).
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/statvfs.h>
#include <sys/timex.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstring>

#include "agent/collectors/live_host_base.hpp"

namespace triage::agent {
namespace {

std::uint32_t prefix_of(const sockaddr* mask) {
  if (mask == nullptr) return 0;
  const unsigned char* bytes = nullptr;
  std::size_t len = 0;
  if (mask->sa_family == AF_INET) {
    bytes = reinterpret_cast<const unsigned char*>(
        &reinterpret_cast<const sockaddr_in*>(mask)->sin_addr);
    len = 4;
  } else if (mask->sa_family == AF_INET6) {
    bytes = reinterpret_cast<const sockaddr_in6*>(mask)->sin6_addr.s6_addr;
    len = 16;
  }
  std::uint32_t bits = 0;
  for (std::size_t i = 0; i < len; ++i) bits += static_cast<std::uint32_t>(std::popcount(bytes[i]));
  return bits;
}

class LiveHost final : public LiveHostBase {
 public:
  bool is_root() const override { return ::geteuid() == 0; }

  Result<FsUsage> fs_usage(std::string_view mount_point) const override {
    struct statvfs st {};
    std::string path(mount_point);
    if (::statvfs(path.c_str(), &st) != 0) {
      return fail("statvfs " + path + ": " + std::strerror(errno));
    }
    FsUsage u;
    u.size_bytes = static_cast<std::uint64_t>(st.f_blocks) * st.f_frsize;
    u.free_bytes = static_cast<std::uint64_t>(st.f_bfree) * st.f_frsize;
    u.avail_bytes = static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;
    u.inodes_total = st.f_files;
    u.inodes_free = st.f_ffree;
    return u;
  }

  Result<ClockState> clock_state() const override {
    timex tx{};
    tx.modes = 0;  // read only
    int state = ::adjtimex(&tx);
    if (state < 0) return fail(std::string("adjtimex: ") + std::strerror(errno));
    ClockState c;
    c.synchronized = state != TIME_ERROR && (tx.status & STA_UNSYNC) == 0;
    double offset_us = (tx.status & STA_NANO) ? static_cast<double>(tx.offset) / 1000.0
                                              : static_cast<double>(tx.offset);
    c.offset_ms = offset_us / 1000.0;
    c.max_error_ms = static_cast<double>(tx.maxerror) / 1000.0;
    return c;
  }

  Result<std::vector<InterfaceAddress>> interface_addresses() const override {
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return fail(std::string("getifaddrs: ") + std::strerror(errno));
    std::vector<InterfaceAddress> out;
    for (ifaddrs* a = list; a != nullptr; a = a->ifa_next) {
      if (a->ifa_addr == nullptr) continue;
      int family = a->ifa_addr->sa_family;
      if (family != AF_INET && family != AF_INET6) continue;
      char text[INET6_ADDRSTRLEN] = {};
      InterfaceAddress ia;
      ia.interface = a->ifa_name;
      ia.ipv6 = family == AF_INET6;
      if (family == AF_INET) {
        auto* sin = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);
        ::inet_ntop(AF_INET, &sin->sin_addr, text, sizeof text);
        std::uint32_t host = ntohl(sin->sin_addr.s_addr);
        ia.scope = (host >> 24) == 127 ? "host" : (host >> 16) == 0xA9FE ? "link" : "global";
      } else {
        auto* sin6 = reinterpret_cast<const sockaddr_in6*>(a->ifa_addr);
        ::inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof text);
        ia.scope = IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr)    ? "host"
                   : IN6_IS_ADDR_LINKLOCAL(&sin6->sin6_addr) ? "link"
                                                             : "global";
      }
      ia.address = text;
      ia.prefix_length = prefix_of(a->ifa_netmask);
      out.push_back(std::move(ia));
    }
    ::freeifaddrs(list);
    return out;
  }
};

}  // namespace

HostPtr make_live_host() { return std::make_unique<LiveHost>(); }

}  // namespace triage::agent
