#pragma once
// Probes arriving on the agent's connection: verified (as orders are), their nonce recorded
// and the rate bound applied on the I/O thread, then run one at a time on a worker thread of
// their own (a short bounded queue in front of it) within each request's time and output
// budget. Every run and every refusal is appended to the local hash-chained history
// (`triage-agent history`) and answered with a ProbeResult sent right away (not spooled: a
// probe is asked for now).

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>

#include "agent/actions/action_journal.hpp"
#include "agent/probes/probe.hpp"
#include "agent/probes/probe_policy.hpp"
#include "shared/pki/openssl_ptr.hpp"
#include "shared/util/token_bucket.hpp"
#include "triage/v1/envelope.pb.h"

namespace triage::agent {

struct ProbeRunnerSettings {
  /// PEM of the key pinned at enrollment ("" = none: every probe is refused).
  std::string pinned_key_pem;
  std::string device_id;
  ProbePolicy policy;
  std::chrono::milliseconds clock_skew{60'000};
  /// Verified probes waiting for the one running, at most; more are refused.
  std::size_t max_waiting = 4;
  ProbeEnvironment env;
};

/// Runs one verified probe within its budgets: the catalog's function, the output budget
/// enforced on the whole result last, the duration and any cut recorded.
v1::ProbeResult run_probe(const v1::ProbePayload& request, const ProbeEnvironment& env);

class ProbeRunner {
 public:
  using SendFn = std::function<void(v1::AgentMessage)>;

  /// `journal` must outlive the runner; `send` is called on the I/O thread. Throws when the
  /// pinned key is unreadable.
  ProbeRunner(boost::asio::io_context& ioc, ActionJournal& journal, ProbeRunnerSettings settings,
              SendFn send);
  /// Waits for a running probe to end (its time budget bounds the wait).
  ~ProbeRunner();

  /// A probe from the collector (I/O thread): verified, then queued or refused.
  void handle(const v1::SignedProbe& probe);

 private:
  void refuse(const std::string& id, const v1::ProbePayload* payload, const std::string& reason);
  void work();
  void finish(const v1::ProbePayload& request, v1::ProbeResult result);

  boost::asio::io_context& ioc_;
  ActionJournal& journal_;
  ProbeRunnerSettings settings_;
  SendFn send_;
  pki::PKeyPtr pinned_key_;
  TokenBucket rate_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<v1::ProbePayload> waiting_;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace triage::agent
