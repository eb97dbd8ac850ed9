// `triage-agent.exe flush-dns`: the flush-dns-windows action. DnsFlushResolverCache empties the
// DNS Client service's cache (what `ipconfig /flushdns` calls). It is exported by dnsapi.dll
// but not declared in the SDK's headers, so it is looked up there, in System32 only.
#include "agent/actions/windows_action_commands.hpp"

#include "shared/util/windows/windows_api.hpp"

#include "shared/util/windows/wide_string.hpp"

namespace triage::agent {

int run_flush_windows_dns(std::ostream& out, std::ostream& err) {
  HMODULE dnsapi = ::LoadLibraryExW(L"dnsapi.dll", nullptr, LOAD_LIBRARY_SEARCH_SYSTEM32);
  if (dnsapi == nullptr) {
    err << "flush-dns: " << last_error_text("dnsapi.dll") << "\n";
    return 2;
  }
  using FlushFn = BOOL(WINAPI*)();
  auto flush = reinterpret_cast<FlushFn>(
      reinterpret_cast<void*>(::GetProcAddress(dnsapi, "DnsFlushResolverCache")));
  if (flush == nullptr) {
    err << "flush-dns: dnsapi.dll has no DnsFlushResolverCache\n";
    ::FreeLibrary(dnsapi);
    return 2;
  }
  const bool flushed = flush() != FALSE;
  const DWORD error = ::GetLastError();
  ::FreeLibrary(dnsapi);
  if (!flushed) {
    // The DNS Client service not running is the usual reason.
    err << "flush-dns: the DNS client cache was not flushed: " << windows_error_text(error) << "\n";
    return 1;
  }
  out << "flushed the DNS client cache\n";
  return 0;
}

}  // namespace triage::agent
