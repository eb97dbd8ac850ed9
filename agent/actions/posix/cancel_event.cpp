// The order cancel signal on Linux: an eventfd, which the process runner polls beside the
// child's output pipes, so a cancel ends the running program at once.
#include "agent/actions/cancel_event.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>

namespace triage::agent {

struct CancelEvent::State {
  int fd = -1;
};

CancelEvent::CancelEvent() : state_(std::make_unique<State>()) {
  state_->fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (state_->fd < 0) throw std::runtime_error("cannot create the order cancel eventfd");
}

CancelEvent::~CancelEvent() {
  if (state_->fd >= 0) ::close(state_->fd);
}

bool CancelEvent::raise() {
  const std::uint64_t one = 1;
  return ::write(state_->fd, &one, sizeof one) == sizeof one;
}

void CancelEvent::clear() {
  std::uint64_t stale = 0;
  while (::read(state_->fd, &stale, sizeof stale) == sizeof stale) {
  }
}

bool CancelEvent::wait_for(std::chrono::milliseconds timeout) {
  pollfd fd{state_->fd, POLLIN, 0};
  const auto until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    const int ready = ::poll(&fd, 1, static_cast<int>(std::min<long long>(left.count(), 60'000)));
    if (ready > 0 && (fd.revents & POLLIN)) return true;
  }
}

int CancelEvent::run_request_fd() const { return state_->fd; }

}  // namespace triage::agent
