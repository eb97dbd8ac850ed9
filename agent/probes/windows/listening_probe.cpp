// Windows: the TCP listeners and bound UDP endpoints from the IP Helper's owner tables
// (GetExtendedTcpTable / GetExtendedUdpTable, IPv4 and IPv6), with the owning process's image
// name; SYSTEM can query every process but protected ones (those keep their pid, no name).
// Windows has no uid: the field stays 0.
#include "agent/probes/listening_probe.hpp"

#include <winsock2.h>
#include <ws2tcpip.h>
// After winsock2.h: iphlpapi.h needs its types.
#include <iphlpapi.h>

#include <map>
#include <vector>

#include "shared/util/windows/unique_handle.hpp"
#include "shared/util/windows/wide_string.hpp"

namespace triage::agent {

namespace {

struct Socket {
  const char* protocol;
  std::string address;
  std::uint32_t port;
  std::uint32_t pid;
};

std::string address_text(int family, const void* address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (::inet_ntop(family, address, text, sizeof text) == nullptr) return "?";
  return text;
}

std::uint32_t port_of(DWORD network_order) {
  return ::ntohs(static_cast<u_short>(network_order & 0xffff));
}

/// One owner table, grown until it fits (it can grow between the two calls).
template <typename Query>
std::vector<unsigned char> owner_table(Query query) {
  std::vector<unsigned char> buffer(16 * 1024);
  for (int attempt = 0; attempt < 4; ++attempt) {
    DWORD size = static_cast<DWORD>(buffer.size());
    const DWORD rc = query(buffer.data(), &size);
    if (rc == NO_ERROR) return buffer;
    if (rc != ERROR_INSUFFICIENT_BUFFER) break;
    buffer.resize(size + 4096);
  }
  return {};
}

void tcp_listeners(ULONG family, std::vector<Socket>& out) {
  auto table = owner_table([&](void* data, DWORD* size) {
    return ::GetExtendedTcpTable(data, size, FALSE, family, TCP_TABLE_OWNER_PID_LISTENER, 0);
  });
  if (table.empty()) return;
  if (family == AF_INET) {
    const auto* rows = reinterpret_cast<const MIB_TCPTABLE_OWNER_PID*>(table.data());
    for (DWORD i = 0; i < rows->dwNumEntries; ++i) {
      const auto& r = rows->table[i];
      out.push_back(
          {"tcp", address_text(AF_INET, &r.dwLocalAddr), port_of(r.dwLocalPort), r.dwOwningPid});
    }
  } else {
    const auto* rows = reinterpret_cast<const MIB_TCP6TABLE_OWNER_PID*>(table.data());
    for (DWORD i = 0; i < rows->dwNumEntries; ++i) {
      const auto& r = rows->table[i];
      out.push_back(
          {"tcp6", address_text(AF_INET6, r.ucLocalAddr), port_of(r.dwLocalPort), r.dwOwningPid});
    }
  }
}

void udp_endpoints(ULONG family, std::vector<Socket>& out) {
  auto table = owner_table([&](void* data, DWORD* size) {
    return ::GetExtendedUdpTable(data, size, FALSE, family, UDP_TABLE_OWNER_PID, 0);
  });
  if (table.empty()) return;
  if (family == AF_INET) {
    const auto* rows = reinterpret_cast<const MIB_UDPTABLE_OWNER_PID*>(table.data());
    for (DWORD i = 0; i < rows->dwNumEntries; ++i) {
      const auto& r = rows->table[i];
      out.push_back(
          {"udp", address_text(AF_INET, &r.dwLocalAddr), port_of(r.dwLocalPort), r.dwOwningPid});
    }
  } else {
    const auto* rows = reinterpret_cast<const MIB_UDP6TABLE_OWNER_PID*>(table.data());
    for (DWORD i = 0; i < rows->dwNumEntries; ++i) {
      const auto& r = rows->table[i];
      out.push_back(
          {"udp6", address_text(AF_INET6, r.ucLocalAddr), port_of(r.dwLocalPort), r.dwOwningPid});
    }
  }
}

/// The image's file name ("svchost.exe"), or "" when the process cannot be opened or no owner
/// is known (pid 0: Wine reports no owners, Windows none for a listener).
std::string image_name(std::uint32_t pid) {
  if (pid == 0) return "";
  if (pid == 4) return "System";
  UniqueHandle process(::OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid));
  if (!process.valid()) return "";
  wchar_t path[MAX_PATH * 2] = {};
  DWORD size = static_cast<DWORD>(std::size(path));
  if (!::QueryFullProcessImageNameW(process.get(), 0, path, &size)) return "";
  std::wstring_view full(path, size);
  const auto slash = full.find_last_of(L"\\/");
  return narrow(slash == std::wstring_view::npos ? full : full.substr(slash + 1));
}

}  // namespace

void run_listening_probe(const v1::ProbePayload&, ProbeBudget& budget, const ProbeEnvironment&,
                         v1::ProbeResult& result) {
  std::vector<Socket> sockets;
  tcp_listeners(AF_INET, sockets);
  tcp_listeners(AF_INET6, sockets);
  udp_endpoints(AF_INET, sockets);
  udp_endpoints(AF_INET6, sockets);
  auto* out = result.mutable_listening();
  std::map<std::uint32_t, std::string> names;
  for (const auto& s : sockets) {
    if (out->ByteSizeLong() + 128 > budget.output_bytes()) {
      budget.cut("output budget reached after " + std::to_string(out->sockets_size()) + " of " +
                 std::to_string(sockets.size()) + " sockets");
      break;
    }
    if (!names.count(s.pid)) {
      if (budget.expired()) {
        budget.cut("time budget ran out while naming the processes that hold the sockets");
        break;
      }
      names[s.pid] = image_name(s.pid);
    }
    auto* socket = out->add_sockets();
    socket->set_protocol(s.protocol);
    socket->set_address(s.address);
    socket->set_port(s.port);
    socket->set_pid(s.pid);
    socket->set_process(names[s.pid].substr(0, 64));
  }
}

}  // namespace triage::agent
