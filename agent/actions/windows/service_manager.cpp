#include "agent/actions/windows/service_manager.hpp"

#include <thread>
#include <vector>

#include "shared/util/windows/wide_string.hpp"

namespace triage::agent {

namespace {

std::optional<WinServiceState> to_state(DWORD state) {
  switch (state) {
    case SERVICE_STOPPED:
      return WinServiceState::kStopped;
    case SERVICE_START_PENDING:
      return WinServiceState::kStartPending;
    case SERVICE_STOP_PENDING:
      return WinServiceState::kStopPending;
    case SERVICE_RUNNING:
      return WinServiceState::kRunning;
    case SERVICE_CONTINUE_PENDING:
      return WinServiceState::kContinuePending;
    case SERVICE_PAUSE_PENDING:
      return WinServiceState::kPausePending;
    case SERVICE_PAUSED:
      return WinServiceState::kPaused;
    default:
      return std::nullopt;
  }
}

WinStartType to_start_type(DWORD start) {
  switch (start) {
    case SERVICE_BOOT_START:
      return WinStartType::kBoot;
    case SERVICE_SYSTEM_START:
      return WinStartType::kSystem;
    case SERVICE_AUTO_START:
      return WinStartType::kAuto;
    case SERVICE_DEMAND_START:
      return WinStartType::kManual;
    default:
      return WinStartType::kDisabled;
  }
}

bool query_status(SC_HANDLE service, SERVICE_STATUS_PROCESS& status) {
  DWORD needed = 0;
  return ::QueryServiceStatusEx(service, SC_STATUS_PROCESS_INFO, reinterpret_cast<BYTE*>(&status),
                                sizeof status, &needed) != FALSE;
}

std::string exit_text(const SERVICE_STATUS_PROCESS& status) {
  if (status.dwWin32ExitCode == ERROR_SERVICE_SPECIFIC_ERROR) {
    return "service-specific error " + std::to_string(status.dwServiceSpecificExitCode);
  }
  return status.dwWin32ExitCode == 0 ? std::string("exit 0")
                                     : windows_error_text(status.dwWin32ExitCode);
}

}  // namespace

Result<OpenedService> open_windows_service(const std::string& name, DWORD access) {
  OpenedService opened;
  opened.manager.reset(::OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT));
  if (!opened.manager) return fail(ErrorCode::kDenied, last_error_text("OpenSCManagerW"));
  auto wide = widen(name);
  if (!wide) return tl::unexpected(wide.error());
  opened.service.reset(
      ::OpenServiceW(opened.manager.get(), wide->c_str(), access | SERVICE_QUERY_STATUS));
  if (!opened.service) {
    const DWORD error = ::GetLastError();
    if (error == ERROR_SERVICE_DOES_NOT_EXIST || error == ERROR_INVALID_NAME) {
      return fail(ErrorCode::kNotFound, "no service " + name + " is installed");
    }
    return fail(error == ERROR_ACCESS_DENIED ? ErrorCode::kDenied : ErrorCode::kFailed,
                "service " + name + ": " + windows_error_text(error));
  }
  return opened;
}

Result<WinServiceFacts> read_service_facts(const OpenedService& opened) {
  SC_HANDLE service = opened.service.get();
  WinServiceFacts facts;
  DWORD needed = 0;
  ::QueryServiceConfigW(service, nullptr, 0, &needed);
  if (needed == 0 || needed > 64 * 1024) return fail(last_error_text("QueryServiceConfigW"));
  std::vector<unsigned char> buffer(needed);
  auto* config = reinterpret_cast<QUERY_SERVICE_CONFIGW*>(buffer.data());
  if (!::QueryServiceConfigW(service, config, needed, &needed)) {
    return fail(last_error_text("QueryServiceConfigW"));
  }
  facts.driver =
      (config->dwServiceType & SERVICE_DRIVER) != 0 || (config->dwServiceType & SERVICE_WIN32) == 0;
  facts.start_type = to_start_type(config->dwStartType);
  SERVICE_STATUS_PROCESS status{};
  if (!query_status(service, status)) return fail(last_error_text("QueryServiceStatusEx"));
  auto state = to_state(status.dwCurrentState);
  if (!state) return fail("the service reports an unknown state");
  facts.state = *state;
  facts.win32_exit_code = status.dwWin32ExitCode;
  facts.service_exit_code = status.dwServiceSpecificExitCode;
  facts.accepts_stop = (status.dwControlsAccepted & SERVICE_ACCEPT_STOP) != 0;
  // Dependents that are not stopped: a first call sizes the buffer.
  DWORD bytes = 0, count = 0;
  if (!::EnumDependentServicesW(service, SERVICE_ACTIVE, nullptr, 0, &bytes, &count)) {
    const DWORD error = ::GetLastError();
    if (error != ERROR_MORE_DATA) return fail(windows_error_text(error));
    std::vector<unsigned char> list(bytes);
    auto* entries = reinterpret_cast<ENUM_SERVICE_STATUSW*>(list.data());
    if (!::EnumDependentServicesW(service, SERVICE_ACTIVE, entries, bytes, &bytes, &count)) {
      return fail(last_error_text("EnumDependentServicesW"));
    }
    for (DWORD i = 0; i < count && i < 64; ++i) {
      facts.active_dependents.push_back(narrow(entries[i].lpServiceName));
    }
  }
  return facts;
}

std::optional<WinServiceState> service_state(SC_HANDLE service, DWORD* process_id) {
  SERVICE_STATUS_PROCESS status{};
  if (!query_status(service, status)) return std::nullopt;
  if (process_id) *process_id = status.dwProcessId;
  return to_state(status.dwCurrentState);
}

std::optional<WinServiceState> wait_while(SC_HANDLE service, WinServiceState pending,
                                          std::chrono::milliseconds wait) {
  const auto end = std::chrono::steady_clock::now() + wait;
  for (;;) {
    auto state = service_state(service);
    if (!state || *state != pending || std::chrono::steady_clock::now() >= end) return state;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

Result<void> stop_and_wait(SC_HANDLE service, std::chrono::milliseconds wait) {
  SERVICE_STATUS status{};
  if (!::ControlService(service, SERVICE_CONTROL_STOP, &status)) {
    const DWORD error = ::GetLastError();
    if (error != ERROR_SERVICE_NOT_ACTIVE) {
      return fail("the stop request failed: " + windows_error_text(error));
    }
  }
  const auto end = std::chrono::steady_clock::now() + wait;
  for (;;) {
    auto state = service_state(service);
    if (state == WinServiceState::kStopped) return {};
    if (std::chrono::steady_clock::now() >= end) {
      return fail("it did not stop within " + std::to_string(wait.count() / 1000) + " s (" +
                  (state ? win_service_state_name(*state) : "state unknown") + ")");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

Result<void> start_and_wait(SC_HANDLE service, std::chrono::milliseconds wait) {
  if (!::StartServiceW(service, 0, nullptr)) {
    const DWORD error = ::GetLastError();
    if (error != ERROR_SERVICE_ALREADY_RUNNING) {
      return fail("it did not start: " + windows_error_text(error));
    }
  }
  const auto end = std::chrono::steady_clock::now() + wait;
  for (;;) {
    SERVICE_STATUS_PROCESS status{};
    if (!query_status(service, status)) return fail(last_error_text("QueryServiceStatusEx"));
    if (status.dwCurrentState == SERVICE_RUNNING) return {};
    if (status.dwCurrentState == SERVICE_STOPPED) {
      return fail("it stopped again while starting (" + exit_text(status) + ")");
    }
    if (std::chrono::steady_clock::now() >= end) {
      return fail("it was not running within " + std::to_string(wait.count() / 1000) + " s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace triage::agent
