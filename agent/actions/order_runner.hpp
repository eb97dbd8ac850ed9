#pragma once
// Orders arriving on the agent's connection: verified and their nonce recorded on the I/O
// thread, then executed one at a time on a worker thread of their own (a bounded queue in
// front of it), output streamed back in chunks, the outcome appended to the local history
// and reported through the spool, so it survives a disconnect and is acknowledged only once
// the collector committed it. Refusals take the same path with their reason.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "agent/actions/action_journal.hpp"
#include "agent/actions/action_policy.hpp"
#include "agent/actions/cancel_event.hpp"
#include "agent/actions/order_executor.hpp"
#include "agent/actions/order_verifier.hpp"
#include "shared/pki/openssl_ptr.hpp"
#include "triage/v1/envelope.pb.h"

namespace triage::agent {

struct OrderRunnerSettings {
  /// PEM of the key pinned at enrollment ("" = none: every order is refused).
  std::string pinned_key_pem;
  std::string device_id;
  ActionPolicy policy;
  std::chrono::milliseconds clock_skew{60'000};
  /// Verified orders waiting for the one running, at most; more are refused.
  std::size_t max_waiting = 16;
  ExecutorOptions executor;
};

class OrderRunner {
 public:
  /// Called on the I/O thread: `send_now` for progress and output (lost if disconnected),
  /// `send_reliably` for results (spooled, acknowledged).
  using SendFn = std::function<void(v1::AgentMessage)>;

  /// `journal` must outlive the runner. Throws when the pinned key is unreadable.
  OrderRunner(boost::asio::io_context& ioc, ActionJournal& journal, OrderRunnerSettings settings,
              SendFn send_now, SendFn send_reliably);
  /// Waits for a running order to end (its own timeout bounds the wait).
  ~OrderRunner();

  /// A catalog from the HelloAck; ignored (and logged) unless signed by the pinned key.
  void accept_catalog(const v1::SignedCatalog& catalog);
  /// An order from the collector: verified, then queued or refused.
  void handle(const v1::SignedOrder& order);
  /// Staff cancelled an order: dropped if it waits (reported CANCELLED, never started), its
  /// process group terminated if it runs (SIGTERM, SIGKILL after the grace). An order that
  /// finished already, or that this agent never accepted, is left as it is.
  void cancel(const v1::OrderCancel& cancel);

 private:
  void refuse(const std::string& order_id, const v1::OrderPayload* payload,
              const std::string& reason);
  void work();
  void finish(const v1::OrderPayload& order, v1::OrderResult result);
  /// Tells logged-in users before a medium/high-risk order if the policy says so, and waits
  /// the policy's delay; false when the order was cancelled meanwhile.
  bool notice_users(const v1::OrderPayload& order, const OutputCallback& output);
  /// Reports an order dropped before it started.
  void report_dropped(const v1::OrderPayload& order, const std::string& reason);

  boost::asio::io_context& ioc_;
  ActionJournal& journal_;
  OrderRunnerSettings settings_;
  SendFn send_now_;
  SendFn send_reliably_;
  pki::PKeyPtr pinned_key_;
  std::optional<AcceptedCatalog> catalog_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<v1::OrderPayload> waiting_;
  bool running_ = false;
  /// The order being executed ("" between orders); guarded by mutex_.
  std::string current_id_;
  /// Raised to cancel the running order; cleared before each order starts.
  CancelEvent cancel_;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace triage::agent
