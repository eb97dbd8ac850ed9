// The order cancel signal on Windows: a manual-reset event. The process runner takes its
// HANDLE as RunRequest::cancel_fd (HandleToLong: kernel handles fit in 32 bits) and ends the
// job of the running program when it is signalled; the notice wait waits on it directly.
#include "agent/actions/cancel_event.hpp"

#include <windows.h>

#include <algorithm>
#include <stdexcept>

namespace triage::agent {

struct CancelEvent::State {
  HANDLE event = nullptr;
};

CancelEvent::CancelEvent() : state_(std::make_unique<State>()) {
  state_->event = ::CreateEventW(nullptr, /*bManualReset=*/TRUE, /*bInitialState=*/FALSE, nullptr);
  if (state_->event == nullptr) throw std::runtime_error("cannot create the order cancel event");
}

CancelEvent::~CancelEvent() { ::CloseHandle(state_->event); }

bool CancelEvent::raise() { return ::SetEvent(state_->event) != 0; }

void CancelEvent::clear() { ::ResetEvent(state_->event); }

bool CancelEvent::wait_for(std::chrono::milliseconds timeout) {
  const auto ms =
      static_cast<DWORD>(std::max<long long>(0, std::min<long long>(timeout.count(), 0x7fffffff)));
  return ::WaitForSingleObject(state_->event, ms) == WAIT_OBJECT_0;
}

int CancelEvent::run_request_fd() const { return ::HandleToLong(state_->event); }

}  // namespace triage::agent
