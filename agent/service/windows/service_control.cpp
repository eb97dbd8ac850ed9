// Service control on Windows: the Service Control Manager's stop and pre-shutdown requests (and
// Ctrl+C, Ctrl+Break or closing the console when run by hand) delivered to the daemon's
// io_context; the process hardened for a long run as SYSTEM.
#include "agent/service/service_control.hpp"

#include "shared/util/windows/windows_api.hpp"

#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include <boost/asio/post.hpp>

#include "agent/service/windows/stop_broadcast.hpp"

namespace triage::agent {

namespace {

struct Listener {
  boost::asio::io_context* ioc;
  std::function<void(const std::string&)> on_stop;
  bool active = true;
  bool fired = false;
};

std::mutex& listeners_mutex() {
  static std::mutex mutex;
  return mutex;
}

std::vector<std::shared_ptr<Listener>>& listeners() {
  static std::vector<std::shared_ptr<Listener>> all;
  return all;
}

/// A stop asked for before anyone listened (the SCM can ask while the daemon starts).
std::optional<std::string>& early_stop() {
  static std::optional<std::string> why;
  return why;
}

void fire(const std::shared_ptr<Listener>& listener, const std::string& why) {
  listener->fired = true;
  boost::asio::post(*listener->ioc, [listener, why] {
    bool active = false;
    {
      std::lock_guard lock(listeners_mutex());
      active = listener->active;
    }
    if (active) listener->on_stop(why);
  });
}

BOOL WINAPI on_console_event(DWORD event) {
  switch (event) {
    case CTRL_C_EVENT:
      broadcast_stop_request("Ctrl+C");
      return TRUE;
    case CTRL_BREAK_EVENT:
      broadcast_stop_request("Ctrl+Break");
      return TRUE;
    case CTRL_CLOSE_EVENT:
    case CTRL_LOGOFF_EVENT:
    case CTRL_SHUTDOWN_EVENT:
      broadcast_stop_request("console closed");
      return TRUE;
    default:
      return FALSE;
  }
}

class ServiceStopRequests final : public StopRequests {
 public:
  explicit ServiceStopRequests(std::shared_ptr<Listener> listener)
      : listener_(std::move(listener)) {}
  ~ServiceStopRequests() override {
    std::lock_guard lock(listeners_mutex());
    listener_->active = false;
    std::erase(listeners(), listener_);
  }

 private:
  std::shared_ptr<Listener> listener_;
};

}  // namespace

void broadcast_stop_request(const std::string& why) {
  std::lock_guard lock(listeners_mutex());
  if (!early_stop()) early_stop() = why;
  for (const auto& listener : listeners()) {
    if (!listener->fired) fire(listener, why);
  }
}

void prepare_daemon_process() {
  // No dialog box may wait for a click nobody can give (a service has no desktop).
  ::SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX | SEM_NOOPENFILEERRORBOX);
  // DLLs come from System32 only, never from the current or the program's folder.
  ::SetDefaultDllDirectories(LOAD_LIBRARY_SEARCH_SYSTEM32);
  ::SetDllDirectoryW(L"");
  ::HeapSetInformation(nullptr, HeapEnableTerminationOnCorruption, nullptr, 0);
}

StopRequestsPtr watch_stop_requests(boost::asio::io_context& ioc,
                                    std::function<void(const std::string& why)> on_stop) {
  static std::once_flag console_handler;
  std::call_once(console_handler, [] { ::SetConsoleCtrlHandler(on_console_event, TRUE); });
  auto listener = std::make_shared<Listener>(Listener{&ioc, std::move(on_stop)});
  std::lock_guard lock(listeners_mutex());
  listeners().push_back(listener);
  if (early_stop()) fire(listener, *early_stop());
  return std::make_unique<ServiceStopRequests>(listener);
}

}  // namespace triage::agent
