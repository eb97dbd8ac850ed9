#pragma once
// Between the Service Control Manager's handler (windows_service.cpp) and the daemon's stop
// listeners (service_control.cpp). Windows only.

#include <string>

namespace triage::agent {

/// Delivers a stop request to every watch_stop_requests() listener, once each; a listener
/// registered later gets it at once. Callable from any thread.
void broadcast_stop_request(const std::string& why);

}  // namespace triage::agent
