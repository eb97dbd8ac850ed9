// The Service Control Manager's side of the agent: the dispatcher, the control handler (stop
// and pre-shutdown become stop requests for the daemon), the service's reported state, and the
// registration used by `service install|uninstall`.
#include "agent/service/windows/windows_service.hpp"

#include "shared/util/windows/windows_api.hpp"

#include <atomic>
#include <memory>
#include <thread>
#include <type_traits>

#include "agent/service/windows/stop_broadcast.hpp"
#include "shared/util/windows/wide_string.hpp"
#include "shared/util/windows_command_line.hpp"

namespace triage::agent {

namespace {

// How long the SCM should wait before it considers a pending start or stop hung.
constexpr DWORD kPendingWaitHintMs = 30'000;

/// State shared by the dispatcher thread, ServiceMain and the control handler.
struct ServiceState {
  std::wstring name;
  std::function<int()> body;
  SERVICE_STATUS_HANDLE handle = nullptr;
  std::atomic<DWORD> checkpoint{0};
  int exit_code = 0;
};

ServiceState& state() {
  static ServiceState s;
  return s;
}

void report(DWORD current_state, DWORD exit_code = 0) {
  auto& s = state();
  SERVICE_STATUS status{};
  status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
  status.dwCurrentState = current_state;
  status.dwControlsAccepted =
      current_state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_PRESHUTDOWN : 0;
  if (exit_code != 0) {
    status.dwWin32ExitCode = ERROR_SERVICE_SPECIFIC_ERROR;
    status.dwServiceSpecificExitCode = exit_code;
  }
  const bool pending =
      current_state == SERVICE_START_PENDING || current_state == SERVICE_STOP_PENDING;
  status.dwCheckPoint = pending ? ++s.checkpoint : 0;
  status.dwWaitHint = pending ? kPendingWaitHintMs : 0;
  ::SetServiceStatus(s.handle, &status);
}

DWORD WINAPI on_control(DWORD control, DWORD, void*, void*) {
  switch (control) {
    case SERVICE_CONTROL_STOP:
      report(SERVICE_STOP_PENDING);
      broadcast_stop_request("service stop");
      return NO_ERROR;
    case SERVICE_CONTROL_PRESHUTDOWN:
      report(SERVICE_STOP_PENDING);
      broadcast_stop_request("system shutdown");
      return NO_ERROR;
    case SERVICE_CONTROL_INTERROGATE:
      return NO_ERROR;
    default:
      return ERROR_CALL_NOT_IMPLEMENTED;
  }
}

void WINAPI service_main(DWORD, LPWSTR*) {
  auto& s = state();
  s.handle = ::RegisterServiceCtrlHandlerExW(s.name.c_str(), on_control, nullptr);
  if (s.handle == nullptr) return;
  report(SERVICE_START_PENDING);
  report(SERVICE_RUNNING);
  try {
    s.exit_code = s.body();
  } catch (...) {
    s.exit_code = 1;
  }
  report(SERVICE_STOPPED, static_cast<DWORD>(s.exit_code));
}

struct ScHandleCloser {
  void operator()(SC_HANDLE h) const {
    if (h != nullptr) ::CloseServiceHandle(h);
  }
};
using ScHandle = std::unique_ptr<std::remove_pointer_t<SC_HANDLE>, ScHandleCloser>;

std::string service_error(const std::wstring& name, std::string_view what) {
  return last_error_text("service " + narrow(name) + ": " + std::string(what));
}

}  // namespace

std::optional<int> run_as_windows_service(std::function<int()> body, const std::wstring& name) {
  auto& s = state();
  s.name = name;
  s.body = std::move(body);
  SERVICE_TABLE_ENTRYW table[] = {{s.name.data(), service_main}, {nullptr, nullptr}};
  if (!::StartServiceCtrlDispatcherW(table)) return std::nullopt;  // not started by the SCM
  return s.exit_code;
}

Result<void> install_service(const ServiceInstallOptions& options) {
  std::vector<std::string> argv{narrow(options.executable.wstring())};
  argv.insert(argv.end(), options.arguments.begin(), options.arguments.end());
  // Quoted: an unquoted "C:\Program Files\triage\..." would let C:\Program.exe run as SYSTEM.
  auto line = windows_command_line(argv);
  if (!line) return tl::unexpected(line.error());
  auto command = widen(*line);
  if (!command) return tl::unexpected(command.error());

  ScHandle manager(
      ::OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT | SC_MANAGER_CREATE_SERVICE));
  if (!manager) return fail(ErrorCode::kDenied, last_error_text("OpenSCManagerW"));
  const DWORD start = options.start_at_boot ? SERVICE_AUTO_START : SERVICE_DEMAND_START;
  ScHandle service(::CreateServiceW(manager.get(), options.name.c_str(),
                                    options.display_name.c_str(), SERVICE_ALL_ACCESS,
                                    SERVICE_WIN32_OWN_PROCESS, start, SERVICE_ERROR_NORMAL,
                                    command->c_str(), nullptr, nullptr, nullptr, nullptr, nullptr));
  if (!service && ::GetLastError() == ERROR_SERVICE_EXISTS) {
    service.reset(::OpenServiceW(manager.get(), options.name.c_str(), SERVICE_ALL_ACCESS));
    if (!service) return fail(service_error(options.name, "OpenServiceW"));
    if (!::ChangeServiceConfigW(service.get(), SERVICE_WIN32_OWN_PROCESS, start,
                                SERVICE_ERROR_NORMAL, command->c_str(), nullptr, nullptr, nullptr,
                                L"LocalSystem", nullptr, options.display_name.c_str())) {
      return fail(service_error(options.name, "ChangeServiceConfigW"));
    }
  } else if (!service) {
    return fail(service_error(options.name, "CreateServiceW"));
  }

  std::wstring description = options.description;
  SERVICE_DESCRIPTIONW describe{description.data()};
  ::ChangeServiceConfig2W(service.get(), SERVICE_CONFIG_DESCRIPTION, &describe);
  SERVICE_PRESHUTDOWN_INFO preshutdown{static_cast<DWORD>(options.preshutdown_timeout.count())};
  if (!::ChangeServiceConfig2W(service.get(), SERVICE_CONFIG_PRESHUTDOWN_INFO, &preshutdown)) {
    return fail(service_error(options.name, "pre-shutdown time-out"));
  }
  // Restarted a minute after a crash, twice; then left stopped until the next day's reset.
  SC_ACTION actions[] = {
      {SC_ACTION_RESTART, 60'000}, {SC_ACTION_RESTART, 60'000}, {SC_ACTION_NONE, 0}};
  SERVICE_FAILURE_ACTIONSW failure{};
  failure.dwResetPeriod = 86'400;
  failure.cActions = 3;
  failure.lpsaActions = actions;
  if (!::ChangeServiceConfig2W(service.get(), SERVICE_CONFIG_FAILURE_ACTIONS, &failure)) {
    return fail(service_error(options.name, "failure actions"));
  }
  return {};
}

Result<void> uninstall_service(const std::wstring& name, std::chrono::milliseconds stop_wait) {
  ScHandle manager(::OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT));
  if (!manager) return fail(ErrorCode::kDenied, last_error_text("OpenSCManagerW"));
  ScHandle service(
      ::OpenServiceW(manager.get(), name.c_str(), SERVICE_STOP | SERVICE_QUERY_STATUS | DELETE));
  if (!service) {
    if (::GetLastError() == ERROR_SERVICE_DOES_NOT_EXIST) {
      return fail(ErrorCode::kNotFound, "service " + narrow(name) + " is not installed");
    }
    return fail(service_error(name, "OpenServiceW"));
  }
  SERVICE_STATUS status{};
  if (::ControlService(service.get(), SERVICE_CONTROL_STOP, &status) ||
      ::GetLastError() != ERROR_SERVICE_NOT_ACTIVE) {
    const auto end = std::chrono::steady_clock::now() + stop_wait;
    while (::QueryServiceStatus(service.get(), &status) &&
           status.dwCurrentState != SERVICE_STOPPED && std::chrono::steady_clock::now() < end) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (status.dwCurrentState != SERVICE_STOPPED) {
      return fail(ErrorCode::kUnavailable,
                  "service " + narrow(name) + " did not stop; it was not removed");
    }
  }
  if (!::DeleteService(service.get())) return fail(service_error(name, "DeleteService"));
  return {};
}

}  // namespace triage::agent
