// Live Host on Windows: GetDiskFreeSpaceExW and GetAdaptersAddresses (the rest:
// live_host_base.hpp), and the machine the Windows sources read (live_win_host.hpp). The clock
// discipline (w32time) is not read yet: clock_state() says so.
// Order matters: winsock2 before windows.h, iphlpapi last.
#include <winsock2.h>

#include <ws2tcpip.h>

#include <windows.h>

#include <iphlpapi.h>
// A COM macro (`#define interface struct`) that would rename InterfaceAddress::interface.
#undef interface

#include <vector>

#include "agent/collectors/live_host_base.hpp"
#include "agent/collectors/windows/live_win_host.hpp"
#include "shared/util/windows/wide_string.hpp"

namespace triage::agent {
namespace {

bool is_administrator() {
  SID_IDENTIFIER_AUTHORITY nt = SECURITY_NT_AUTHORITY;
  PSID admins = nullptr;
  if (!::AllocateAndInitializeSid(&nt, 2, SECURITY_BUILTIN_DOMAIN_RID, DOMAIN_ALIAS_RID_ADMINS, 0,
                                  0, 0, 0, 0, 0, &admins)) {
    return false;
  }
  BOOL member = FALSE;
  if (!::CheckTokenMembership(nullptr, admins, &member)) member = FALSE;
  ::FreeSid(admins);
  return member == TRUE;
}

class LiveHost final : public LiveHostBase {
 public:
  // Made with the host, before any collector's budget meter runs: starting COM and loading
  // WMI's client is the snapshot's one-time cost, not that of the first source asking WMI.
  LiveHost() : windows_(make_live_win_host(/*start_com=*/true)) {}

  bool is_root() const override { return is_administrator(); }

  Result<FsUsage> fs_usage(std::string_view mount_point) const override {
    const std::filesystem::path path(mount_point);
    ULARGE_INTEGER avail{}, total{}, free{};
    if (!::GetDiskFreeSpaceExW(path.c_str(), &avail, &total, &free)) {
      return fail("GetDiskFreeSpaceEx " + path.string() + ": error " +
                  std::to_string(::GetLastError()));
    }
    FsUsage u;
    u.size_bytes = total.QuadPart;
    u.free_bytes = free.QuadPart;
    u.avail_bytes = avail.QuadPart;
    return u;
  }

  Result<ClockState> clock_state() const override {
    return fail(ErrorCode::kUnavailable, "the Windows time service is not read yet");
  }

  Result<std::vector<InterfaceAddress>> interface_addresses() const override {
    ULONG size = 16 * 1024;
    std::vector<unsigned char> buf;
    ULONG rc = ERROR_BUFFER_OVERFLOW;
    for (int attempt = 0; attempt < 3 && rc == ERROR_BUFFER_OVERFLOW; ++attempt) {
      buf.resize(size);
      rc = ::GetAdaptersAddresses(
          AF_UNSPEC, GAA_FLAG_SKIP_ANYCAST | GAA_FLAG_SKIP_MULTICAST | GAA_FLAG_SKIP_DNS_SERVER,
          nullptr, reinterpret_cast<IP_ADAPTER_ADDRESSES*>(buf.data()), &size);
    }
    if (rc == ERROR_NO_DATA) return std::vector<InterfaceAddress>{};
    if (rc != NO_ERROR) return fail("GetAdaptersAddresses: error " + std::to_string(rc));
    std::vector<InterfaceAddress> out;
    for (auto* a = reinterpret_cast<IP_ADAPTER_ADDRESSES*>(buf.data()); a != nullptr; a = a->Next) {
      const std::string name = a->FriendlyName != nullptr ? narrow(a->FriendlyName) : "";
      for (auto* u = a->FirstUnicastAddress; u != nullptr; u = u->Next) {
        const sockaddr* sa = u->Address.lpSockaddr;
        char text[INET6_ADDRSTRLEN] = {};
        InterfaceAddress ia;
        ia.interface = name;
        ia.prefix_length = u->OnLinkPrefixLength;
        if (sa->sa_family == AF_INET) {
          const auto* sin = reinterpret_cast<const sockaddr_in*>(sa);
          ::inet_ntop(AF_INET, &sin->sin_addr, text, sizeof text);
          ia.scope = (ntohl(sin->sin_addr.s_addr) >> 24) == 127 ? "host" : "global";
        } else if (sa->sa_family == AF_INET6) {
          const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(sa);
          ia.ipv6 = true;
          ::inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof text);
          ia.scope = IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr)    ? "host"
                     : IN6_IS_ADDR_LINKLOCAL(&sin6->sin6_addr) ? "link"
                                                               : "global";
        } else {
          continue;
        }
        ia.address = text;
        out.push_back(std::move(ia));
      }
    }
    return out;
  }

  WinHost* windows() override { return windows_.get(); }

 private:
  WinHostPtr windows_;
};

}  // namespace

HostPtr make_live_host() { return std::make_unique<LiveHost>(); }

}  // namespace triage::agent
