// Device facts on Windows: the computer's DNS host name, the Windows product name and version
// (the registry's CurrentVersion key and RtlGetVersion, which reports the real version whatever
// the manifest says), the native architecture, the MachineGuid and the console session's user.
// A few registry reads and API calls; the facts of the live machine only (no --sysroot).
#include <windows.h>

#include <wtsapi32.h>

#include <string>

#include "agent/collectors/agent_platform.hpp"
#include "agent/collectors/device_facts.hpp"
#include "agent/collectors/text.hpp"
#include "agent/collectors/windows/win32_text.hpp"
#include "shared/util/windows/wide_string.hpp"

namespace triage::agent {
namespace {

constexpr const wchar_t* kCurrentVersionKey = L"SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion";

std::string host_name() {
  wchar_t name[256] = {};
  DWORD size = static_cast<DWORD>(std::size(name));
  if (!::GetComputerNameExW(ComputerNameDnsHostname, name, &size)) return "";
  return narrow(std::wstring_view(name, size));
}

/// "10.0.19045" from ntdll's RtlGetVersion; "" when it is not there.
std::string windows_version() {
  using RtlGetVersionFn = LONG(WINAPI*)(OSVERSIONINFOW*);
  HMODULE ntdll = ::GetModuleHandleW(L"ntdll.dll");
  if (ntdll == nullptr) return "";
  auto fn = reinterpret_cast<RtlGetVersionFn>(
      reinterpret_cast<void*>(::GetProcAddress(ntdll, "RtlGetVersion")));
  OSVERSIONINFOW info{};
  info.dwOSVersionInfoSize = sizeof info;
  if (fn == nullptr || fn(&info) != 0) return "";
  return std::to_string(info.dwMajorVersion) + "." + std::to_string(info.dwMinorVersion) + "." +
         std::to_string(info.dwBuildNumber);
}

std::string native_arch() {
  SYSTEM_INFO info{};
  ::GetNativeSystemInfo(&info);
  switch (info.wProcessorArchitecture) {
    case PROCESSOR_ARCHITECTURE_AMD64:
      return "x86_64";
    case PROCESSOR_ARCHITECTURE_ARM64:
      return "aarch64";
    case PROCESSOR_ARCHITECTURE_INTEL:
      return "x86";
    default:
      return "";
  }
}

std::string console_user() {
  const DWORD session = ::WTSGetActiveConsoleSessionId();
  if (session == 0xFFFFFFFF) return "";
  LPWSTR name = nullptr;
  DWORD bytes = 0;
  if (!::WTSQuerySessionInformationW(WTS_CURRENT_SERVER_HANDLE, session, WTSUserName, &name,
                                     &bytes)) {
    return "";
  }
  std::string user = name != nullptr ? narrow(name) : "";
  ::WTSFreeMemory(name);
  return user;
}

}  // namespace

v1::DeviceFacts read_device_facts(const FsRoot&) {
  v1::DeviceFacts facts;
  const auto version = windows_version();
  facts.set_hostname(clean_text(host_name(), 256));
  facts.set_os_pretty_name(
      clean_text(hklm_string(kCurrentVersionKey, L"ProductName").value_or("Windows"), 256));
  facts.set_os_id("windows");
  facts.set_os_version(clean_text(version, 64));
  if (!version.empty()) facts.set_kernel(clean_text("Windows NT " + version, 128));
  facts.set_arch(native_arch());
  facts.set_machine_id(clean_text(
      hklm_string(L"SOFTWARE\\Microsoft\\Cryptography", L"MachineGuid").value_or(""), 64));
  facts.set_logged_in_user(clean_text(console_user(), 64));
  facts.set_platform(agent_platform());
  return facts;
}

}  // namespace triage::agent
