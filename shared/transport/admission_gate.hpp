#pragma once
// Admission control: at most `limit` holders at once, the others queued in arrival order.
// Used for TLS handshakes (a handshake costs the server a signature and two verifications;
// when connections arrive faster than the CPUs can answer them, handshakes that all progress
// at once all finish late, past their timeout, and the work is wasted: a reconnect storm that
// never converges) and for reading large WebSocket messages (10,000 agents sending their
// snapshots at once must not hold 10,000 message buffers).

#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>

namespace triage::transport {

class AdmissionGate {
 public:
  /// Offered a slot; returns whether it took it (false: the waiter gave up meanwhile, and the
  /// slot goes to the next one). Called on the releasing thread, without the gate's lock: it
  /// must only hand the work over (e.g. post to its strand).
  using Grant = std::function<bool()>;
  /// Told the number of running and queued handshakes after each change, under the gate's
  /// lock (for metrics: it must not call back into the gate).
  using Observer = std::function<void(std::size_t running, std::size_t waiting)>;

  /// `limit` 0 admits everything at once.
  explicit AdmissionGate(std::size_t limit, Observer observer = {});
  AdmissionGate(const AdmissionGate&) = delete;
  AdmissionGate& operator=(const AdmissionGate&) = delete;

  /// Grants a slot now (calling `grant` before returning) or queues the request.
  void acquire(Grant grant);
  /// Gives a taken slot back: to the oldest waiter that still wants it, else to the pool.
  void release();

  std::size_t running() const;
  std::size_t waiting() const;

 private:
  void notify() const;  // with mutex_ held

  const std::size_t limit_;
  const Observer observer_;
  mutable std::mutex mutex_;
  std::size_t running_ = 0;
  std::deque<Grant> waiters_;
};

}  // namespace triage::transport
