#pragma once
// The Service Control Manager as the Windows actions use it: open a service by key name, read
// the facts windows_service_guard.hpp decides on, stop or start it and wait (bounded) for the
// state it should reach. Windows only.

#include "shared/util/windows/windows_api.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include "agent/actions/windows_service_guard.hpp"
#include "shared/util/result.hpp"

namespace triage::agent {

struct ScHandleCloser {
  void operator()(SC_HANDLE h) const {
    if (h != nullptr) ::CloseServiceHandle(h);
  }
};
using ScHandle = std::unique_ptr<std::remove_pointer_t<SC_HANDLE>, ScHandleCloser>;

/// An open service and the manager it came from.
struct OpenedService {
  ScHandle manager;
  ScHandle service;
};

/// Opens service `name` with `access` (plus SERVICE_QUERY_STATUS). kNotFound when no such
/// service is installed, kDenied without the right.
Result<OpenedService> open_windows_service(const std::string& name, DWORD access);

/// Its configuration, status and running dependents (needs SERVICE_QUERY_CONFIG and
/// SERVICE_ENUMERATE_DEPENDENTS besides SERVICE_QUERY_STATUS).
Result<WinServiceFacts> read_service_facts(const OpenedService& opened);

/// The current state, or nullopt when the SCM cannot say.
std::optional<WinServiceState> service_state(SC_HANDLE service, DWORD* process_id = nullptr);

/// Asks the service to stop and waits up to `wait` for it to be stopped.
Result<void> stop_and_wait(SC_HANDLE service, std::chrono::milliseconds wait);

/// Starts the service and waits up to `wait` for it to run; the error tells how it ended
/// instead (its exit code) when it stopped again.
Result<void> start_and_wait(SC_HANDLE service, std::chrono::milliseconds wait);

/// Waits up to `wait` while the service is in `pending`; its state then.
std::optional<WinServiceState> wait_while(SC_HANDLE service, WinServiceState pending,
                                          std::chrono::milliseconds wait);

}  // namespace triage::agent
