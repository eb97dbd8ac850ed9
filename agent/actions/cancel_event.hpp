#pragma once
// The signal that cancels the running order: raised from the I/O thread, waited for by the
// order's worker (during the notice to users) and by the process runner (while the action
// runs). This header is the interface; each platform has one implementation (POSIX:
// posix/cancel_event.cpp, an eventfd the runner polls beside the child's pipes; Windows:
// windows/cancel_event.cpp, an event the runner gets as its HANDLE).

#include <chrono>
#include <memory>

namespace triage::agent {

/// A level-triggered, resettable cancel flag. Thread-safe.
class CancelEvent {
 public:
  /// Throws std::runtime_error when the platform cannot create it.
  CancelEvent();
  ~CancelEvent();
  CancelEvent(const CancelEvent&) = delete;
  CancelEvent& operator=(const CancelEvent&) = delete;

  /// Raises it; false when that failed.
  bool raise();
  /// Lowers it (before the next order starts, so a late cancel cannot hit it).
  void clear();
  /// Waits up to `timeout`; true as soon as it is raised.
  bool wait_for(std::chrono::milliseconds timeout);
  /// What RunRequest::cancel_fd takes to end a running program when this is raised; -1 when
  /// it could not be made (then a running action ends at its timeout).
  int run_request_fd() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace triage::agent
