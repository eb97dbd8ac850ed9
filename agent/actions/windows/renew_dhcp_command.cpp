// `triage-agent.exe renew-dhcp`: the renew-dhcp-windows action. Asks the DHCP client to renew
// the lease of every IPv4 adapter that is up and gets its address by DHCP (IpRenewAddress, what
// `ipconfig /renew` does per adapter). The address is not released first: when the server
// answers, the agent's own connection stays up; when it does not, the adapter keeps its lease.
#include "agent/actions/windows_action_commands.hpp"

#include <winsock2.h>
#include <ws2tcpip.h>
// After winsock2.h: iphlpapi.h needs its types.
#include <iphlpapi.h>

#include <set>
#include <vector>

#include "shared/util/windows/wide_string.hpp"

namespace triage::agent {

namespace {

/// Interface indexes of the IPv4 adapters that are up with DHCP enabled.
Result<std::set<ULONG>> dhcp_adapters(std::ostream& out) {
  ULONG size = 16 * 1024;
  std::vector<unsigned char> buffer;
  ULONG rc = ERROR_BUFFER_OVERFLOW;
  for (int attempt = 0; attempt < 3 && rc == ERROR_BUFFER_OVERFLOW; ++attempt) {
    buffer.resize(size);
    rc = ::GetAdaptersAddresses(
        AF_INET, GAA_FLAG_SKIP_ANYCAST | GAA_FLAG_SKIP_MULTICAST | GAA_FLAG_SKIP_DNS_SERVER,
        nullptr, reinterpret_cast<IP_ADAPTER_ADDRESSES*>(buffer.data()), &size);
  }
  if (rc == ERROR_NO_DATA) return std::set<ULONG>{};
  if (rc != NO_ERROR) return fail("GetAdaptersAddresses: " + windows_error_text(rc));
  std::set<ULONG> out_indexes;
  for (auto* a = reinterpret_cast<IP_ADAPTER_ADDRESSES*>(buffer.data()); a != nullptr;
       a = a->Next) {
    if (a->IfType == IF_TYPE_SOFTWARE_LOOPBACK || a->OperStatus != IfOperStatusUp) continue;
    if ((a->Flags & IP_ADAPTER_DHCP_ENABLED) == 0) continue;
    out_indexes.insert(a->IfIndex);
    out << "DHCP adapter: " << narrow(a->FriendlyName ? a->FriendlyName : L"") << " (index "
        << a->IfIndex << ")\n";
  }
  return out_indexes;
}

}  // namespace

int run_renew_windows_dhcp(std::ostream& out, std::ostream& err) {
  auto wanted = dhcp_adapters(out);
  if (!wanted) {
    err << "renew-dhcp: " << wanted.error().message << "\n";
    return 2;
  }
  if (wanted->empty()) {
    err << "renew-dhcp: no adapter that is up gets its address by DHCP; nothing to renew\n";
    return 1;
  }
  ULONG size = 0;
  if (::GetInterfaceInfo(nullptr, &size) != ERROR_INSUFFICIENT_BUFFER || size == 0) {
    err << "renew-dhcp: GetInterfaceInfo lists no adapter\n";
    return 2;
  }
  std::vector<unsigned char> buffer(size);
  auto* info = reinterpret_cast<IP_INTERFACE_INFO*>(buffer.data());
  if (const DWORD rc = ::GetInterfaceInfo(info, &size); rc != NO_ERROR) {
    err << "renew-dhcp: GetInterfaceInfo: " << windows_error_text(rc) << "\n";
    return 2;
  }
  int renewed = 0, failed = 0;
  for (LONG i = 0; i < info->NumAdapters; ++i) {
    IP_ADAPTER_INDEX_MAP& adapter = info->Adapter[i];
    if (wanted->count(adapter.Index) == 0) continue;
    if (const DWORD rc = ::IpRenewAddress(&adapter); rc != NO_ERROR) {
      err << "renew-dhcp: adapter " << adapter.Index << ": " << windows_error_text(rc) << "\n";
      ++failed;
    } else {
      out << "renewed the lease of adapter " << adapter.Index << "\n";
      ++renewed;
    }
  }
  if (renewed + failed == 0) {
    err << "renew-dhcp: the DHCP adapters are not in the interface table\n";
    return 1;
  }
  return failed == 0 ? 0 : 1;
}

}  // namespace triage::agent
