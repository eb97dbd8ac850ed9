#pragma once
// The connected agent: one WebSocket to the collector, re-established with jittered backoff.
// Every report goes through the spool first and leaves it only when acknowledged; on each
// (re)connect, after the HelloAck, everything still spooled is resent in seq order through a
// bounded window. Scheduled reports are deltas against the last reported state (full snapshots
// when the chain is broken or the collector lacks a base); SnapshotRequests and help requests
// get fresh snapshots. Single io_context thread; snapshots run in a child process watched by
// SnapshotWorker's short-lived thread.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "agent/actions/order_runner.hpp"
#include "agent/enroll/certificate_renewal.hpp"
#include "agent/live/live_streamer.hpp"
#include "agent/probes/probe_runner.hpp"
#include "agent/service/help_rate_limiter.hpp"
#include "agent/service/help_request.hpp"
#include "agent/service/snapshot_worker.hpp"
#include "agent/spool/spool.hpp"
#include "agent/state/agent_state.hpp"
#include "shared/transport/backoff.hpp"
#include "shared/transport/tls_context.hpp"
#include "shared/transport/tls_session_slot.hpp"
#include "shared/transport/url.hpp"
#include "shared/transport/websocket_handler.hpp"
#include "triage/v1/envelope.pb.h"

namespace triage::agent {

struct AgentRunOptions {
  std::chrono::milliseconds backoff_base{1000};
  std::chrono::milliseconds backoff_cap{300'000};
  std::chrono::milliseconds handshake_timeout{30'000};
  std::size_t max_message_bytes = 4 * 1024 * 1024;
  SnapshotOptions snapshot;
  /// How each snapshot's child process is run.
  SnapshotProcessOptions snapshot_process;
  /// wss://HOST:PORT; "" = the URL recorded at enrollment.
  std::string collector_url;
  /// Set locally (config or --report-interval), it wins over the collector's HelloAck.
  std::optional<std::chrono::seconds> report_interval;
  /// Used when the collector's HelloAck names none.
  std::chrono::seconds heartbeat_interval{60};
  std::uint32_t help_requests_per_hour = 12;
  /// Reports sent but not yet acknowledged, at most.
  std::size_t window_reports = 32;
  std::size_t window_bytes = 4 * 1024 * 1024;
  /// Signed orders: executed when a journal is given (it must outlive the runtime).
  ActionJournal* journal = nullptr;
  OrderRunnerSettings orders;
  /// Diagnostic probes: run when a journal is given (they are recorded in its history).
  ProbeRunnerSettings probes;
  /// The state directory holding the device key and certificate: given, the agent renews its
  /// certificate over the connection once two thirds of its lifetime have passed.
  std::optional<StateDir> state;
};

using HelpProgressFn = std::function<void(const HelpProgress&)>;

class AgentRuntime final : public transport::WebSocketHandler {
 public:
  /// `spool` must outlive the runtime.
  AgentRuntime(boost::asio::io_context& ioc, AgentIdentity identity, transport::SslContextPtr tls,
               spool::Spool& spool, AgentRunOptions options);
  ~AgentRuntime() override;

  /// Starts connecting and the report schedule; returns at once.
  void start();
  /// Closes the connection and stops reconnecting; `stopped` runs once it is closed.
  void stop(std::function<void()> stopped);
  /// Files a help request with a fresh snapshot; `progress` follows it (on the I/O thread).
  void submit_help(HelpSubmission help, HelpProgressFn progress);

  void on_open(const std::shared_ptr<transport::WebSocketConnection>& connection) override;
  void on_message(std::string_view frame) override;
  void on_close(std::string_view reason) override;

 private:
  void connect();
  void schedule_reconnect(std::chrono::milliseconds delay);
  void handle_hello_ack(const v1::HelloAck& ack);
  void handle_ack(const v1::Ack& ack);
  void schedule_release();
  void schedule_heartbeat();
  void send_heartbeat();
  void maybe_renew_certificate();
  void handle_certificate_renewed(const v1::CertificateRenewed& renewed);
  void schedule_report(std::chrono::steady_clock::duration delay);
  void take_report();
  void store_report(const v1::Snapshot& snapshot);
  void answer_snapshot_request(std::string request_id);
  std::optional<std::uint64_t> spool_append(v1::AgentMessage& message,
                                            const v1::Snapshot* chain_after = nullptr);
  void pump();
  std::chrono::seconds report_interval() const;

  boost::asio::io_context& ioc_;
  AgentIdentity identity_;
  transport::SslContextPtr tls_;
  /// The TLS context the current connection was made with, after a renewal replaced tls_; it
  /// lives as long as that connection does.
  transport::SslContextPtr retired_tls_;
  /// The new key of the renewal asked on this connection, until the collector answers.
  std::optional<RenewalKey> pending_renewal_;
  bool renewal_asked_ = false;  // on the current connection
  spool::Spool& spool_;
  AgentRunOptions options_;
  transport::Url url_;
  transport::Backoff backoff_;
  boost::asio::steady_timer reconnect_timer_;
  boost::asio::steady_timer heartbeat_timer_;
  boost::asio::steady_timer report_timer_;
  boost::asio::steady_timer release_timer_;  // idle memory given back after activity
  std::shared_ptr<transport::WebSocketConnection> connection_;
  /// The collector's latest TLS session ticket: reconnections resume instead of a full
  /// handshake (kept in memory only).
  std::shared_ptr<transport::TlsSessionSlot> tls_session_ =
      std::make_shared<transport::TlsSessionSlot>();
  bool ready_ = false;  // hello acknowledged on the current connection
  bool stopping_ = false;
  std::function<void()> stopped_;
  std::uint32_t heartbeat_interval_s_ = 60;
  std::uint32_t collector_report_interval_s_ = 0;
  std::optional<std::chrono::seconds> retry_after_;
  bool report_running_ = false;  // a scheduled report's snapshot is being taken
  // Resend window of the current connection.
  std::uint64_t last_sent_seq_ = 0;
  std::map<std::uint64_t, std::size_t> in_flight_;  // seq -> bytes
  std::size_t in_flight_bytes_ = 0;
  std::map<std::uint64_t, HelpProgressFn> help_waiters_;  // by seq
  HelpRateLimiter help_limiter_;
  SnapshotWorker worker_;
  // Last: destroyed first, while everything its pending work touches still exists.
  std::unique_ptr<OrderRunner> orders_;
  std::unique_ptr<ProbeRunner> probes_;
  std::unique_ptr<LiveStreamer> live_;
};

}  // namespace triage::agent
