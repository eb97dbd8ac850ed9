// win_api::kServices: the Service Control Manager's Win32 services (EnumServicesStatusExW with
// SC_ENUM_PROCESS_INFO), and per service its start type (QueryServiceConfigW), delayed start
// and triggers (QueryServiceConfig2W). A service whose configuration cannot be read is listed
// without it. Windows only; any user may enumerate and query.
#include "shared/util/windows/windows_api.hpp"

#include <winsvc.h>

#include <memory>
#include <string>
#include <vector>

#include "agent/collectors/windows/gather_software.hpp"
#include "shared/util/windows/wide_string.hpp"

namespace triage::agent {
namespace {

constexpr std::size_t kMaxServices = 4096;
// The enumeration buffer grows to at most this (a service record is a few hundred bytes).
constexpr DWORD kMaxEnumBytes = 4 * 1024 * 1024;
constexpr DWORD kMaxConfigBytes = 64 * 1024;

/// SERVICE_TRIGGER_INFO (MinGW's winsvc.h lacks it): only the count is read.
struct TriggerInfo {
  DWORD cTriggers;
  void* pTriggers;
  BYTE* pReserved;
};

/// Closes a service or Service Control Manager handle.
struct ScHandle {
  SC_HANDLE h = nullptr;
  explicit ScHandle(SC_HANDLE handle) : h(handle) {}
  ScHandle(const ScHandle&) = delete;
  ScHandle& operator=(const ScHandle&) = delete;
  ~ScHandle() {
    if (h) ::CloseServiceHandle(h);
  }
};

/// QueryServiceConfig2W's answer for `level`, or empty.
std::vector<unsigned char> config2(SC_HANDLE service, DWORD level) {
  DWORD needed = 0;
  if (::QueryServiceConfig2W(service, level, nullptr, 0, &needed) ||
      ::GetLastError() != ERROR_INSUFFICIENT_BUFFER || needed == 0 || needed > kMaxConfigBytes) {
    return {};
  }
  std::vector<unsigned char> buffer(needed);
  if (!::QueryServiceConfig2W(service, level, buffer.data(), needed, &needed)) return {};
  return buffer;
}

void add_config(SC_HANDLE scm, const wchar_t* name, nlohmann::json& out) {
  ScHandle service(::OpenServiceW(scm, name, SERVICE_QUERY_CONFIG));
  if (!service.h) return;
  DWORD needed = 0;
  if (!::QueryServiceConfigW(service.h, nullptr, 0, &needed) &&
      ::GetLastError() == ERROR_INSUFFICIENT_BUFFER && needed > 0 && needed <= kMaxConfigBytes) {
    std::vector<unsigned char> buffer(needed);
    auto* config = reinterpret_cast<QUERY_SERVICE_CONFIGW*>(buffer.data());
    if (::QueryServiceConfigW(service.h, config, needed, &needed))
      out["start_type"] = config->dwStartType;
  }
  auto delayed = config2(service.h, SERVICE_CONFIG_DELAYED_AUTO_START_INFO);
  if (delayed.size() >= sizeof(SERVICE_DELAYED_AUTO_START_INFO)) {
    out["delayed_auto_start"] =
        reinterpret_cast<SERVICE_DELAYED_AUTO_START_INFO*>(delayed.data())->fDelayedAutostart != 0;
  }
  auto triggers = config2(service.h, SERVICE_CONFIG_TRIGGER_INFO);
  out["trigger_start"] = triggers.size() >= sizeof(TriggerInfo) &&
                         reinterpret_cast<TriggerInfo*>(triggers.data())->cTriggers > 0;
}

Result<nlohmann::json> gather() {
  ScHandle scm(
      ::OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT | SC_MANAGER_ENUMERATE_SERVICE));
  if (!scm.h) return fail(last_error_text("OpenSCManagerW"));
  nlohmann::json services = nlohmann::json::array();
  bool truncated = false;
  DWORD resume = 0;
  std::vector<unsigned char> buffer(64 * 1024);
  while (true) {
    DWORD needed = 0, returned = 0;
    const BOOL ok = ::EnumServicesStatusExW(
        scm.h, SC_ENUM_PROCESS_INFO, SERVICE_WIN32, SERVICE_STATE_ALL, buffer.data(),
        static_cast<DWORD>(buffer.size()), &needed, &returned, &resume, nullptr);
    const DWORD error = ok ? ERROR_SUCCESS : ::GetLastError();
    if (!ok && error != ERROR_MORE_DATA) return fail(last_error_text("EnumServicesStatusExW"));
    const auto* entries = reinterpret_cast<const ENUM_SERVICE_STATUS_PROCESSW*>(buffer.data());
    for (DWORD i = 0; i < returned; ++i) {
      if (services.size() == kMaxServices) {
        truncated = true;
        break;
      }
      const auto& e = entries[i];
      const auto& status = e.ServiceStatusProcess;
      nlohmann::json s = {
          {"name", narrow(e.lpServiceName ? e.lpServiceName : L"")},
          {"display_name", narrow(e.lpDisplayName ? e.lpDisplayName : L"")},
          {"service_type", status.dwServiceType},
          {"current_state", status.dwCurrentState},
          {"win32_exit_code", status.dwWin32ExitCode},
          {"service_specific_exit_code", status.dwServiceSpecificExitCode},
          {"process_id", status.dwProcessId},
      };
      if (e.lpServiceName) add_config(scm.h, e.lpServiceName, s);
      services.push_back(std::move(s));
    }
    if (ok || truncated) break;
    // ERROR_MORE_DATA: the next call resumes where this one stopped; a larger buffer when
    // not even one record fitted.
    if (returned == 0) {
      if (needed <= buffer.size() || needed > kMaxEnumBytes) {
        truncated = true;
        break;
      }
      buffer.resize(needed);
    }
  }
  return nlohmann::json{{"services", std::move(services)}, {"truncated", truncated}};
}

}  // namespace

Result<nlohmann::json> gather_services() {
  try {
    return gather();
  } catch (const std::exception& e) {
    return fail(std::string("services: ") + e.what());
  }
}

}  // namespace triage::agent
