#pragma once
// The live view on the agent: a verified start (as probes are verified: signature, fields,
// nonce never seen, local policy) begins a stream of samples, one per interval, sent right
// away over the connection (never spooled) until the signed end, a stop from the collector,
// or the connection's loss. One stream at a time: a start for the same session moves its end
// (staff extended it); a start for another session replaces the running one. Sampling runs on
// a thread of its own (started with the first stream), never on the I/O thread. Every start,
// extension, end and refusal is appended to the local hash-chained history
// (`triage-agent history`).

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>

#include "agent/actions/action_journal.hpp"
#include "agent/probes/probe_policy.hpp"
#include "shared/pki/openssl_ptr.hpp"
#include "triage/v1/envelope.pb.h"

namespace triage::agent {

struct LiveStreamerSettings {
  /// PEM of the key pinned at enrollment ("" = none: every start is refused).
  std::string pinned_key_pem;
  std::string device_id;
  ProbePolicy policy;
  std::chrono::milliseconds clock_skew{60'000};
  /// The machine sampled ("" or "/": this one; a directory in tests).
  std::string sysroot;
};

class LiveStreamer {
 public:
  using SendFn = std::function<void(v1::AgentMessage)>;

  /// `journal` must outlive the streamer; `send` is called on the I/O thread. Throws when the
  /// pinned key is unreadable.
  LiveStreamer(boost::asio::io_context& ioc, ActionJournal& journal, LiveStreamerSettings settings,
               SendFn send);
  /// Ends a running stream (recorded) and waits for the sampling thread.
  ~LiveStreamer();

  /// A start from the collector (I/O thread): verified, then started, extended or refused.
  void handle(const v1::SignedLiveStart& start);
  /// A stop from the collector (I/O thread): ends the stream of that session, if it runs.
  void stop(const v1::LiveStop& stop);
  /// The connection is gone (I/O thread): the stream ends, nothing more is sent for it.
  void connection_lost();

 private:
  struct Stream {
    v1::LivePayload payload;
    std::uint32_t samples = 0;
    std::uint64_t generation = 0;
  };

  void refuse(const std::string& id, const v1::LivePayload* payload, const std::string& reason);
  /// Records the end of `stream` and, unless `silent`, tells the collector (I/O thread).
  void ended(const Stream& stream, const std::string& reason, bool silent);
  void work();

  boost::asio::io_context& ioc_;
  ActionJournal& journal_;
  LiveStreamerSettings settings_;
  SendFn send_;
  pki::PKeyPtr pinned_key_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<Stream> stream_;
  std::uint64_t generation_ = 0;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace triage::agent
