#include "shared/transport/admission_gate.hpp"

#include <utility>

namespace triage::transport {

AdmissionGate::AdmissionGate(std::size_t limit, Observer observer)
    : limit_(limit), observer_(std::move(observer)) {}

void AdmissionGate::acquire(Grant grant) {
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

void AdmissionGate::release() {
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

std::size_t AdmissionGate::running() const {
  std::lock_guard lock(mutex_);
  return running_;
}

std::size_t AdmissionGate::waiting() const {
  std::lock_guard lock(mutex_);
  return waiters_.size();
}

void AdmissionGate::notify() const {
  if (observer_) observer_(running_, waiters_.size());
}

}  // namespace triage::transport
