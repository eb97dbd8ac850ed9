// The system and hardware gatherers. netapi32 is loaded at run time (the agent does not link
// it, and Wine's lacks NetGetAadJoinInformation); ntdll's NtQuerySystemInformation likewise.
// Every buffer the system fills is bounded by the size it reports and walked within it.
#include "agent/collectors/windows/gather_system.hpp"

#include "shared/util/windows/windows_api.hpp"
// After windows.h:
#include <lmcons.h>
#include <lmjoin.h>
#include <winternl.h>
#include <wtsapi32.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include <bit>
#include <cstddef>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "shared/util/windows/wide_string.hpp"

namespace triage::agent {
namespace {

// Milliseconds from 1601-01-01 (FILETIME) to 1970-01-01.
constexpr std::int64_t kEpochDifferenceMs = 11644473600LL * 1000;
constexpr DWORD kMaxSessions = 1024;
constexpr DWORD kMaxFirmwareTable = 4 * 1024 * 1024;
constexpr DWORD kMaxProcessorInformation = 16 * 1024 * 1024;

std::int64_t filetime_ms(std::int64_t filetime) { return filetime / 10000 - kEpochDifferenceMs; }

template <typename Fn>
Fn system_function(const wchar_t* dll, const char* name) {
  HMODULE module = ::GetModuleHandleW(dll);
  if (module == nullptr) module = ::LoadLibraryExW(dll, nullptr, LOAD_LIBRARY_SEARCH_SYSTEM32);
  if (module == nullptr) return nullptr;
  return reinterpret_cast<Fn>(reinterpret_cast<void*>(::GetProcAddress(module, name)));
}

std::string base64(const std::uint8_t* data, std::size_t size) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((size + 2) / 3 * 4);
  for (std::size_t i = 0; i < size; i += 3) {
    std::uint32_t n = static_cast<std::uint32_t>(data[i]) << 16;
    if (i + 1 < size) n |= static_cast<std::uint32_t>(data[i + 1]) << 8;
    if (i + 2 < size) n |= data[i + 2];
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < size ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < size ? kAlphabet[n & 63] : '=';
  }
  return out;
}

// NetGetAadJoinInformation's types (lmjoin.h of the Windows 10 SDK; MinGW lacks them).
enum DsregJoinType { kDsregUnknownJoin = 0, kDsregDeviceJoin = 1, kDsregWorkplaceJoin = 2 };
struct DsregJoinInfo {
  DsregJoinType join_type;
  const void* join_certificate;
  LPWSTR device_id;
  LPWSTR idp_domain;
  LPWSTR tenant_id;
  LPWSTR join_user_email;
  LPWSTR tenant_display_name;
  LPWSTR mdm_enrollment_url;
  LPWSTR mdm_terms_of_use_url;
  LPWSTR mdm_compliance_url;
  LPWSTR user_setting_sync_url;
  void* user_info;
};

std::string text(const wchar_t* s) { return s != nullptr ? narrow(s) : std::string(); }

nlohmann::json entra_join() {
  using GetFn = HRESULT(WINAPI*)(LPCWSTR, DsregJoinInfo**);
  using FreeFn = VOID(WINAPI*)(DsregJoinInfo*);
  auto get = system_function<GetFn>(L"netapi32.dll", "NetGetAadJoinInformation");
  auto release = system_function<FreeFn>(L"netapi32.dll", "NetFreeAadJoinInformation");
  if (get == nullptr || release == nullptr) return nullptr;
  DsregJoinInfo* info = nullptr;
  if (FAILED(get(nullptr, &info))) return nullptr;
  // No information: neither joined nor registered.
  if (info == nullptr) return {{"join_type", "none"}};
  nlohmann::json out = {
      {"join_type", info->join_type == kDsregDeviceJoin      ? "device"
                    : info->join_type == kDsregWorkplaceJoin ? "workplace"
                                                             : "none"},
      {"tenant_id", text(info->tenant_id)},
      {"tenant_display_name", text(info->tenant_display_name)},
      {"idp_domain", text(info->idp_domain)},
      {"device_id", text(info->device_id)},
  };
  release(info);
  return out;
}

std::string session_text(DWORD session, WTS_INFO_CLASS what) {
  LPWSTR value = nullptr;
  DWORD bytes = 0;
  if (!::WTSQuerySessionInformationW(WTS_CURRENT_SERVER_HANDLE, session, what, &value, &bytes))
    return {};
  std::string out;
  if (value != nullptr && bytes >= sizeof(wchar_t))
    out = narrow(std::wstring_view(value, ::wcsnlen(value, bytes / sizeof(wchar_t))));
  ::WTSFreeMemory(value);
  return out;
}

std::optional<std::int64_t> logon_time(DWORD session) {
  LPWSTR value = nullptr;
  DWORD bytes = 0;
  if (!::WTSQuerySessionInformationW(WTS_CURRENT_SERVER_HANDLE, session, WTSSessionInfo, &value,
                                     &bytes)) {
    return std::nullopt;
  }
  std::optional<std::int64_t> out;
  if (value != nullptr && bytes >= sizeof(WTSINFOW)) {
    WTSINFOW info;
    std::memcpy(&info, value, sizeof info);
    if (info.LogonTime.QuadPart > 0) out = filetime_ms(info.LogonTime.QuadPart);
  }
  ::WTSFreeMemory(value);
  return out;
}

const char* state_name(WTS_CONNECTSTATE_CLASS state) {
  switch (state) {
    case WTSActive:
      return "active";
    case WTSConnected:
      return "connected";
    case WTSConnectQuery:
      return "connecting";
    case WTSShadow:
      return "shadow";
    case WTSDisconnected:
      return "disconnected";
    case WTSIdle:
      return "idle";
    case WTSListen:
      return "listen";
    case WTSReset:
      return "reset";
    case WTSDown:
      return "down";
    case WTSInit:
      return "init";
    default:
      return "unknown";
  }
}

struct Cpuid {
  std::uint32_t a = 0, b = 0, c = 0, d = 0;
};

std::optional<Cpuid> cpuid(std::uint32_t leaf) {
#if defined(__x86_64__) || defined(__i386__)
  Cpuid r;
  __cpuid(leaf, r.a, r.b, r.c, r.d);
  return r;
#else
  (void)leaf;
  return std::nullopt;
#endif
}

}  // namespace

Result<nlohmann::json> gather_boot() {
  using QueryFn = NTSTATUS(NTAPI*)(SYSTEM_INFORMATION_CLASS, PVOID, ULONG, PULONG);
  auto query = system_function<QueryFn>(L"ntdll.dll", "NtQuerySystemInformation");
  SYSTEM_TIMEOFDAY_INFORMATION info{};
  ULONG size = 0;
  if (query != nullptr && query(SystemTimeOfDayInformation, &info, sizeof info, &size) >= 0 &&
      info.BootTime.QuadPart > 0) {
    return nlohmann::json{{"boot_time_unix_ms", filetime_ms(info.BootTime.QuadPart)},
                          {"method", "NtQuerySystemInformation"}};
  }
  FILETIME now{};
  ::GetSystemTimeAsFileTime(&now);
  const std::int64_t now_ms = filetime_ms(static_cast<std::int64_t>(
      (static_cast<std::uint64_t>(now.dwHighDateTime) << 32) | now.dwLowDateTime));
  return nlohmann::json{
      {"boot_time_unix_ms", now_ms - static_cast<std::int64_t>(::GetTickCount64())},
      {"method", "GetTickCount64"}};
}

Result<nlohmann::json> gather_join_state() {
  using JoinFn = DWORD(WINAPI*)(LPCWSTR, LPWSTR*, PNETSETUP_JOIN_STATUS);
  using FreeFn = DWORD(WINAPI*)(LPVOID);
  auto get = system_function<JoinFn>(L"netapi32.dll", "NetGetJoinInformation");
  auto release = system_function<FreeFn>(L"netapi32.dll", "NetApiBufferFree");
  if (get == nullptr || release == nullptr)
    return fail(ErrorCode::kNotFound, "netapi32.dll has no NetGetJoinInformation");
  LPWSTR name = nullptr;
  NETSETUP_JOIN_STATUS status = NetSetupUnknownStatus;
  if (DWORD rc = get(nullptr, &name, &status); rc != 0)
    return fail("NetGetJoinInformation: " + windows_error_text(rc));
  nlohmann::json out = {
      {"status", status == NetSetupDomainName      ? "domain"
                 : status == NetSetupWorkgroupName ? "workgroup"
                 : status == NetSetupUnjoined      ? "unjoined"
                                                   : "unknown"},
      {"netbios_name", text(name)},
      {"dns_domain", ""},
  };
  release(name);
  if (status == NetSetupDomainName) {
    wchar_t domain[256] = {};
    DWORD size = static_cast<DWORD>(std::size(domain));
    if (::GetComputerNameExW(ComputerNameDnsDomain, domain, &size))
      out["dns_domain"] = narrow(std::wstring_view(domain, size));
  }
  if (auto entra = entra_join(); !entra.is_null()) out["entra"] = std::move(entra);
  return out;
}

Result<nlohmann::json> gather_sessions() {
  PWTS_SESSION_INFOW sessions = nullptr;
  DWORD count = 0;
  if (!::WTSEnumerateSessionsW(WTS_CURRENT_SERVER_HANDLE, 0, 1, &sessions, &count))
    return fail(last_error_text("WTSEnumerateSessionsW"));
  nlohmann::json list = nlohmann::json::array();
  for (DWORD i = 0; i < count && i < kMaxSessions; ++i) {
    const auto& s = sessions[i];
    nlohmann::json item = {
        {"session_id", s.SessionId},
        {"state", state_name(s.State)},
        {"station", text(s.pWinStationName)},
        {"user", session_text(s.SessionId, WTSUserName)},
        {"domain", session_text(s.SessionId, WTSDomainName)},
        {"client_name", session_text(s.SessionId, WTSClientName)},
    };
    if (auto logon = logon_time(s.SessionId)) item["logon_time_unix_ms"] = *logon;
    list.push_back(std::move(item));
  }
  ::WTSFreeMemory(sessions);
  return nlohmann::json{{"sessions", std::move(list)}};
}

Result<nlohmann::json> gather_smbios() {
  constexpr DWORD kRsmb = 'R' << 24 | 'S' << 16 | 'M' << 8 | 'B';
  // RawSMBIOSData: calling method, major, minor, DMI revision, table length, then the table.
  constexpr std::size_t kHeader = 8;
  const UINT size = ::GetSystemFirmwareTable(kRsmb, 0, nullptr, 0);
  if (size == 0) return fail(ErrorCode::kNotFound, last_error_text("GetSystemFirmwareTable"));
  if (size > kMaxFirmwareTable || size < kHeader)
    return fail("GetSystemFirmwareTable: an SMBIOS table of " + std::to_string(size) + " bytes");
  std::vector<std::uint8_t> raw(size);
  const UINT got = ::GetSystemFirmwareTable(kRsmb, 0, raw.data(), size);
  if (got == 0 || got > size) return fail(last_error_text("GetSystemFirmwareTable"));
  std::uint32_t length = 0;
  std::memcpy(&length, raw.data() + 4, sizeof length);
  // The header's length may not exceed what was returned.
  if (length > got - kHeader) length = static_cast<std::uint32_t>(got - kHeader);
  return nlohmann::json{
      {"table_base64", base64(raw.data() + kHeader, length)}, {"major", raw[1]}, {"minor", raw[2]}};
}

Result<nlohmann::json> gather_processors() {
  DWORD length = 0;
  ::GetLogicalProcessorInformationEx(RelationAll, nullptr, &length);
  if (length == 0 || length > kMaxProcessorInformation)
    return fail(last_error_text("GetLogicalProcessorInformationEx"));
  std::vector<std::uint8_t> buffer(length);
  auto* first = reinterpret_cast<SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX*>(buffer.data());
  if (!::GetLogicalProcessorInformationEx(RelationAll, first, &length))
    return fail(last_error_text("GetLogicalProcessorInformationEx"));
  std::uint32_t sockets = 0, cores = 0, logical = 0;
  const std::size_t header = offsetof(SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX, Processor);
  for (std::size_t offset = 0; offset + header <= length;) {
    auto* entry =
        reinterpret_cast<SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX*>(buffer.data() + offset);
    if (entry->Size < header || offset + entry->Size > length) break;
    if (entry->Relationship == RelationProcessorPackage) {
      ++sockets;
    } else if (entry->Relationship == RelationProcessorCore) {
      ++cores;
      const auto& p = entry->Processor;
      const std::size_t masks_end = reinterpret_cast<const std::uint8_t*>(&p.GroupMask[0]) -
                                    reinterpret_cast<const std::uint8_t*>(entry) +
                                    p.GroupCount * sizeof(GROUP_AFFINITY);
      for (WORD g = 0; g < p.GroupCount && masks_end <= entry->Size; ++g)
        logical += static_cast<std::uint32_t>(
            std::popcount(static_cast<std::uint64_t>(p.GroupMask[g].Mask)));
    }
    offset += entry->Size;
  }
  nlohmann::json out = {{"sockets", sockets}, {"cores", cores}, {"logical_processors", logical}};
  bool present = false, root = false;
  std::string vendor;
  if (auto leaf1 = cpuid(1)) present = (leaf1->c >> 31) & 1;
  if (present) {
    if (auto base = cpuid(0x40000000)) {
      char name[13] = {};
      std::memcpy(name, &base->b, 4);
      std::memcpy(name + 4, &base->c, 4);
      std::memcpy(name + 8, &base->d, 4);
      vendor = std::string(name, ::strnlen(name, 12));
      // Hyper-V's partition privileges: CreatePartitions only in the root partition.
      if (vendor == "Microsoft Hv" && base->a >= 0x40000003) {
        if (auto features = cpuid(0x40000003)) root = features->b & 1;
      }
    }
  }
  out["hypervisor_present"] = present;
  out["hypervisor_vendor"] = vendor;
  out["root_partition"] = root;
  return out;
}

Result<nlohmann::json> gather_power_status() {
  SYSTEM_POWER_STATUS status{};
  if (!::GetSystemPowerStatus(&status)) return fail(last_error_text("GetSystemPowerStatus"));
  return nlohmann::json{{"ac_line_status", status.ACLineStatus},
                        {"battery_flag", status.BatteryFlag},
                        {"battery_life_percent", status.BatteryLifePercent}};
}

}  // namespace triage::agent
