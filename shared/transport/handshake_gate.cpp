#include "shared/transport/handshake_gate.hpp"

#include <utility>

namespace triage::transport {

HandshakeGate::HandshakeGate(std::size_t limit, Observer observer)
    : limit_(limit), observer_(std::move(observer)) {}

void HandshakeGate::acquire(Grant grant) {
  bool now = false;
  {
    std::lock_guard lock(mutex_);
    if (limit_ == 0 || running_ < limit_) {
      ++running_;
      now = true;
    } else {
      waiters_.push_back(std::move(grant));
    }
    notify();
  }
  if (now && !grant()) release();
}

void HandshakeGate::release() {
  // A loop, not recursion: thousands of queued waiters may have given up.
  for (;;) {
    Grant next;
    {
      std::lock_guard lock(mutex_);
      if (waiters_.empty()) {
        if (running_ > 0) --running_;
      } else {
        next = std::move(waiters_.front());
        waiters_.pop_front();
      }
      notify();
    }
    if (!next || next()) return;
  }
}

std::size_t HandshakeGate::running() const {
  std::lock_guard lock(mutex_);
  return running_;
}

std::size_t HandshakeGate::waiting() const {
  std::lock_guard lock(mutex_);
  return waiters_.size();
}

void HandshakeGate::notify() const {
  if (observer_) observer_(running_, waiters_.size());
}

}  // namespace triage::transport
