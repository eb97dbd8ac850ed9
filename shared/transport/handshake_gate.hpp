#pragma once
// Admission control for TLS handshakes. A handshake costs the server a signature and two
// verifications; when connections arrive faster than the CPUs can answer them, handshakes
// that all progress at once all finish late, past their timeout, and the work is wasted (a
// reconnect storm that never converges). The gate lets at most `limit` handshakes run and
// queues the others in arrival order, so the ones admitted finish promptly.

#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>

namespace triage::transport {

class HandshakeGate {
 public:
  /// Offered a slot; returns whether it took it (false: the waiter gave up meanwhile, and the
  /// slot goes to the next one). Called on the releasing thread, without the gate's lock: it
  /// must only hand the work over (e.g. post to its strand).
  using Grant = std::function<bool()>;
  /// Told the number of running and queued handshakes after each change, under the gate's
  /// lock (for metrics: it must not call back into the gate).
  using Observer = std::function<void(std::size_t running, std::size_t waiting)>;

  /// `limit` 0 admits everything at once.
  explicit HandshakeGate(std::size_t limit, Observer observer = {});
  HandshakeGate(const HandshakeGate&) = delete;
  HandshakeGate& operator=(const HandshakeGate&) = delete;

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
