// The order cancel signal on Windows: a manual-reset event. The process runner takes it as a C
// runtime descriptor (RunRequest::cancel_fd, wrapped with _open_osfhandle) and ends the job of
// the running program when it is signalled; the notice wait waits on it directly.
#include "agent/actions/cancel_event.hpp"

#include <io.h>
#include <windows.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>

namespace triage::agent {

struct CancelEvent::State {
  HANDLE event = nullptr;
  /// The descriptor that owns `event` (closing it closes the event); -1 when the C runtime
  /// would not wrap it, and then `event` is closed on its own.
  int fd = -1;
};

CancelEvent::CancelEvent() : state_(std::make_unique<State>()) {
  state_->event = ::CreateEventW(nullptr, /*bManualReset=*/TRUE, /*bInitialState=*/FALSE, nullptr);
  if (state_->event == nullptr) throw std::runtime_error("cannot create the order cancel event");
  state_->fd = ::_open_osfhandle(reinterpret_cast<std::intptr_t>(state_->event), 0);
}

CancelEvent::~CancelEvent() {
  if (state_->fd >= 0) {
    ::_close(state_->fd);
  } else {
    ::CloseHandle(state_->event);
  }
}

bool CancelEvent::raise() { return ::SetEvent(state_->event) != 0; }

void CancelEvent::clear() { ::ResetEvent(state_->event); }

bool CancelEvent::wait_for(std::chrono::milliseconds timeout) {
  const auto ms =
      static_cast<DWORD>(std::max<long long>(0, std::min<long long>(timeout.count(), 0x7fffffff)));
  return ::WaitForSingleObject(state_->event, ms) == WAIT_OBJECT_0;
}

int CancelEvent::run_request_fd() const { return state_->fd; }

}  // namespace triage::agent
