#include "agent/service/agent_runtime.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include "agent/collectors/device_facts.hpp"
#include "agent/service/idle_memory.hpp"
#include "agent/service/reconnect_policy.hpp"
#include "agent/service/report_planner.hpp"
#include "shared/protocol/codec.hpp"
#include "shared/protocol/version.hpp"
#include "shared/transport/websocket_client.hpp"
#include "shared/util/fs_root.hpp"
#include "shared/util/log_safe.hpp"

namespace triage::agent {

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

AgentRuntime::AgentRuntime(boost::asio::io_context& ioc, AgentIdentity identity,
                           transport::SslContextPtr tls, spool::Spool& spool,
                           AgentRunOptions options)
    : ioc_(ioc),
      identity_(std::move(identity)),
      tls_(std::move(tls)),
      spool_(spool),
      options_(std::move(options)),
      backoff_(options_.backoff_base, options_.backoff_cap),
      reconnect_timer_(ioc),
      heartbeat_timer_(ioc),
      report_timer_(ioc),
      release_timer_(ioc),
      heartbeat_interval_s_(static_cast<std::uint32_t>(options_.heartbeat_interval.count())),
      help_limiter_(options_.help_requests_per_hour),
      worker_(ioc, options_.snapshot, options_.snapshot_process) {
  const auto& server =
      options_.collector_url.empty() ? identity_.enrollment.server_url : options_.collector_url;
  auto url = transport::parse_url(server);
  if (!url) throw std::runtime_error("collector URL " + server + ": " + url.error().message);
  url_ = *url;
  if (options_.journal != nullptr) {
    auto settings = options_.orders;
    settings.device_id = identity_.enrollment.device_id;
    settings.pinned_key_pem = identity_.order_signing_key_pem;
    orders_ = std::make_unique<OrderRunner>(
        ioc_, *options_.journal, std::move(settings),
        [this](v1::AgentMessage message) {
          if (connection_ && ready_) connection_->send(protocol::encode(message));
        },
        [this](v1::AgentMessage message) {
          if (spool_append(message)) pump();
        });
    auto probe_settings = options_.probes;
    probe_settings.device_id = identity_.enrollment.device_id;
    probe_settings.pinned_key_pem = identity_.order_signing_key_pem;
    // A probe's answer is for now: lost with the connection, never spooled.
    probes_ = std::make_unique<ProbeRunner>(ioc_, *options_.journal, std::move(probe_settings),
                                            [this](v1::AgentMessage message) {
                                              if (connection_ && ready_) {
                                                connection_->send(protocol::encode(message));
                                              }
                                            });
    // The live view: verified like probes, under the same local policy ("live").
    LiveStreamerSettings live_settings;
    live_settings.device_id = identity_.enrollment.device_id;
    live_settings.pinned_key_pem = identity_.order_signing_key_pem;
    live_settings.policy = options_.probes.policy;
    live_settings.clock_skew = options_.probes.clock_skew;
    live_settings.sysroot = options_.probes.env.sysroot;
    live_ = std::make_unique<LiveStreamer>(ioc_, *options_.journal, std::move(live_settings),
                                           [this](v1::AgentMessage message) {
                                             if (connection_ && ready_) {
                                               connection_->send(protocol::encode(message));
                                             }
                                           });
  }
}

AgentRuntime::~AgentRuntime() = default;

void AgentRuntime::start() {
  connect();
  // A report right away: the collector learns what changed while the agent was down.
  schedule_report(std::chrono::seconds(0));
}

void AgentRuntime::stop(std::function<void()> stopped) {
  stopping_ = true;
  stopped_ = std::move(stopped);
  reconnect_timer_.cancel();
  heartbeat_timer_.cancel();
  report_timer_.cancel();
  release_timer_.cancel();
  if (connection_) {
    connection_->close(transport::CloseCode::kGoingAway, "agent stopping");
  } else if (stopped_) {
    std::exchange(stopped_, nullptr)();
  }
}

void AgentRuntime::connect() {
  if (stopping_) return;
  transport::WebSocketClientOptions options;
  options.host = url_.host;
  options.port = url_.port;
  options.target = "/agent/v1";
  options.limits.handshake_timeout = options_.handshake_timeout;
  options.limits.max_message_bytes = options_.max_message_bytes;
  options.session_slot = tls_session_;
  spdlog::debug("connecting to {}:{}{}", url_.host, url_.port,
                tls_session_->holds_ticket() ? " (resuming the TLS session)" : "");
  connection_ = transport::connect_websocket(ioc_, *tls_, *this, options);
}

void AgentRuntime::schedule_reconnect(std::chrono::milliseconds delay) {
  if (stopping_) return;
  spdlog::info("reconnecting in {:.1f} s", delay.count() / 1000.0);
  reconnect_timer_.expires_after(delay);
  reconnect_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) connect();
  });
}

void AgentRuntime::on_open(const std::shared_ptr<transport::WebSocketConnection>&) {
  v1::AgentMessage message;
  auto* hello = message.mutable_hello();
  hello->set_protocol_min(protocol::kProtocolMin);
  hello->set_protocol_max(protocol::kProtocolMax);
  hello->set_agent_version(TRIAGE_VERSION);
  *hello->mutable_facts() = read_device_facts(FsRoot(options_.snapshot.sysroot));
  if (auto stats = spool_.stats()) hello->set_next_seq(stats->next_seq);
  if (auto chain = spool_.chain(); chain && *chain) {
    hello->set_base_snapshot_seq((*chain)->start_seq);
  }
  for (const char* capability : {"snapshot", "delta", "help"}) hello->add_capabilities(capability);
  if (orders_) hello->add_capabilities("orders");
  if (probes_) hello->add_capabilities("probes");
  if (live_) hello->add_capabilities("live");
  hello->set_agent_time_unix_ms(now_ms());
  if (connection_) connection_->send(protocol::encode(message));
}

void AgentRuntime::on_message(std::string_view frame) {
  auto message = protocol::decode_collector_message(frame, options_.max_message_bytes);
  if (!message) {
    spdlog::warn("collector sent an invalid message: {}", message.error().message);
    if (connection_) connection_->close(transport::CloseCode::kProtocolError, "invalid message");
    return;
  }
  switch (message->body_case()) {
    case v1::CollectorMessage::kHelloAck:
      return handle_hello_ack(message->hello_ack());
    case v1::CollectorMessage::kRefusal: {
      const auto& refusal = message->refusal();
      spdlog::error("collector refused this agent: {}", log_safe(refusal.message()));
      if (refusal.retry_after_s() > 0) retry_after_ = std::chrono::seconds(refusal.retry_after_s());
      return;
    }
    case v1::CollectorMessage::kAck:
      return handle_ack(message->ack());
    case v1::CollectorMessage::kSnapshotRequest:
      if (ready_) answer_snapshot_request(message->snapshot_request().request_id());
      return;
    case v1::CollectorMessage::kOrder:
      if (ready_ && orders_) {
        orders_->handle(message->order());
      } else if (ready_) {
        spdlog::warn("an order arrived but this agent does not execute orders; ignored");
      }
      return;
    case v1::CollectorMessage::kCatalogUpdate:
      // Verified like the HelloAck's: pinned key, and never older than the one held.
      if (ready_ && orders_) orders_->accept_catalog(message->catalog_update());
      return;
    case v1::CollectorMessage::kOrderCancel:
      if (ready_ && orders_) orders_->cancel(message->order_cancel());
      return;
    case v1::CollectorMessage::kProbe:
      if (ready_ && probes_) probes_->handle(message->probe());
      return;
    case v1::CollectorMessage::kLiveStart:
      if (ready_ && live_) live_->handle(message->live_start());
      return;
    case v1::CollectorMessage::kLiveStop:
      if (ready_ && live_) live_->stop(message->live_stop());
      return;
    case v1::CollectorMessage::kCertificateRenewed:
      if (ready_) handle_certificate_renewed(message->certificate_renewed());
      return;
    default:
      // Unknown or not yet supported here: ignore (forward compatibility).
      return;
  }
}

void AgentRuntime::handle_hello_ack(const v1::HelloAck& ack) {
  if (ready_) return;
  ready_ = true;
  backoff_.reset();
  retry_after_.reset();
  // Never reuse a sequence number the collector has already committed.
  if (auto r = spool_.ensure_next_seq_above(ack.last_committed_seq()); !r) {
    spdlog::error("{}; reconnecting", r.error().message);
    if (connection_) connection_->close(transport::CloseCode::kInternalError, "spool error");
    return;
  }
  heartbeat_interval_s_ = ack.heartbeat_interval_s() > 0
                              ? ack.heartbeat_interval_s()
                              : static_cast<std::uint32_t>(options_.heartbeat_interval.count());
  collector_report_interval_s_ = ack.report_interval_s();
  if (orders_ && ack.has_action_catalog()) orders_->accept_catalog(ack.action_catalog());
  auto skew_ms = now_ms() - ack.server_time_unix_ms();
  spdlog::info("connected to {}:{} as device {} (protocol {}, clock offset {} ms)", url_.host,
               url_.port, ack.device_id(), ack.protocol_version(), skew_ms);
  schedule_heartbeat();
  schedule_release();
  if (ack.want_full_snapshot()) {
    auto pending = spool_.has_pending(spool::ReportKind::kSnapshot);
    if (pending && !*pending) {
      spdlog::info("the collector has no base snapshot: sending a full one");
      (void)spool_.break_chain();
      // A report being taken now finds the chain gone and becomes the full snapshot.
      if (!report_running_) take_report();
    }
  }
  // Everything still spooled, in seq order, from the start.
  last_sent_seq_ = 0;
  in_flight_.clear();
  in_flight_bytes_ = 0;
  pump();
  maybe_renew_certificate();
}

void AgentRuntime::maybe_renew_certificate() {
  if (!options_.state || renewal_asked_ || !ready_ || !connection_) return;
  const auto now_s = now_ms() / 1000;
  auto due = renewal_due(identity_.certificate_pem, now_s);
  if (!due) {
    spdlog::warn("cannot read the device certificate's dates: {}", due.error().message);
    renewal_asked_ = true;  // not again on this connection
    return;
  }
  if (!*due) return;
  renewal_asked_ = true;
  auto key = prepare_renewal(identity_.enrollment.device_id);
  if (!key) {
    spdlog::error("certificate renewal: {}", key.error().message);
    return;
  }
  v1::AgentMessage message;
  message.mutable_certificate_renewal()->set_csr_pem(key->csr_pem);
  pending_renewal_ = std::move(*key);
  spdlog::info("the device certificate is in the last third of its lifetime: asking for a new one");
  connection_->send(protocol::encode(message));
}

void AgentRuntime::handle_certificate_renewed(const v1::CertificateRenewed& renewed) {
  if (!pending_renewal_ || !options_.state) return;
  auto key = std::exchange(pending_renewal_, std::nullopt);
  if (!renewed.error().empty() || renewed.certificate_pem().empty()) {
    spdlog::warn("the collector did not renew the device certificate: {}",
                 log_safe(renewed.error()));
    return;
  }
  if (auto r =
          install_renewed_certificate(*options_.state, identity_, *key, renewed.certificate_pem());
      !r) {
    spdlog::error("renewed certificate not installed: {}", r.error().message);
    return;
  }
  auto tls = transport::make_client_tls_context(
      {identity_.ca_pem, renewed.certificate_pem(), key->key_pem});
  if (!tls) {
    // Installed: the next start uses it. This run keeps the certificate it has, which the
    // collector still accepts until the new one is used.
    spdlog::error("renewed certificate installed, but not usable until restart: {}",
                  tls.error().message);
    return;
  }
  identity_.certificate_pem = renewed.certificate_pem();
  identity_.key_pem = key->key_pem;
  retired_tls_ = std::exchange(tls_, std::move(*tls));
  // A session ticket names the old certificate: the next connection makes a full handshake.
  tls_session_ = std::make_shared<transport::TlsSessionSlot>();
  spdlog::info("device certificate renewed; reconnecting with it");
  // The collector accepts the old certificate only until the new one is used: use it now.
  if (connection_)
    connection_->close(transport::CloseCode::kNormal, "reconnecting with a renewed certificate");
}

void AgentRuntime::handle_ack(const v1::Ack& ack) {
  for (const auto& entry : ack.entries()) {
    const bool rejected = entry.status() == v1::Ack::REJECTED;
    if (entry.status() != v1::Ack::STORED && entry.status() != v1::Ack::DUPLICATE && !rejected) {
      continue;  // a status this build does not know: keep the report
    }
    if (rejected) {
      spdlog::warn("collector rejected report #{}: {}; dropping it", entry.seq(),
                   log_safe(entry.reason()));
    } else {
      spdlog::debug("report #{} acknowledged ({})", entry.seq(),
                    v1::Ack::Status_Name(entry.status()));
    }
    if (auto it = in_flight_.find(entry.seq()); it != in_flight_.end()) {
      in_flight_bytes_ -= it->second;
      in_flight_.erase(it);
    }
    auto acked = spool_.acknowledge(entry.seq(), rejected, entry.ticket_id());
    if (!acked) spdlog::error("{}", acked.error().message);
    if (auto it = help_waiters_.find(entry.seq()); it != help_waiters_.end()) {
      HelpProgress progress;
      progress.seq = entry.seq();
      progress.state = rejected                    ? HelpState::kRejected
                       : entry.ticket_id().empty() ? HelpState::kDelivered
                                                   : HelpState::kTicket;
      progress.ticket_id = entry.ticket_id();
      progress.message = entry.reason();
      auto notify = std::move(it->second);
      help_waiters_.erase(it);
      notify(progress);
    }
  }
  pump();
}

void AgentRuntime::pump() {
  if (!ready_ || !connection_) return;
  while (in_flight_.size() < options_.window_reports && in_flight_bytes_ < options_.window_bytes) {
    auto batch = spool_.pending_after(last_sent_seq_, options_.window_reports - in_flight_.size(),
                                      options_.window_bytes - in_flight_bytes_);
    if (!batch) {
      spdlog::error("{}", batch.error().message);
      return;
    }
    if (batch->empty()) return;
    for (auto& report : *batch) {
      const auto bytes = report.frame.size();
      if (!connection_->send(std::move(report.frame))) return;  // closing; resent next time
      last_sent_seq_ = report.seq;
      in_flight_[report.seq] = bytes;
      in_flight_bytes_ += bytes;
      spdlog::debug("sent {} #{} ({} bytes)", spool::report_kind_name(report.kind), report.seq,
                    bytes);
      if (auto it = help_waiters_.find(report.seq); it != help_waiters_.end()) {
        it->second(HelpProgress{HelpState::kSent, report.seq, "", ""});
      }
    }
  }
}

void AgentRuntime::schedule_release() {
  // Once things have been quiet for a while (a snapshot handed over, its report sent); every
  // call pushes it back.
  release_timer_.expires_after(std::chrono::seconds(10));
  release_timer_.async_wait([](const boost::system::error_code& ec) {
    if (ec) return;
    spdlog::debug("idle: released {} KiB of mapped file pages and free heap",
                  release_idle_memory() / 1024);
  });
}

void AgentRuntime::schedule_heartbeat() {
  heartbeat_timer_.expires_after(std::chrono::seconds(heartbeat_interval_s_));
  heartbeat_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || !ready_) return;
    send_heartbeat();
    // A connection can outlast the certificate's last third: look again now and then.
    maybe_renew_certificate();
    schedule_heartbeat();
  });
}

void AgentRuntime::send_heartbeat() {
  v1::AgentMessage message;
  auto* heartbeat = message.mutable_heartbeat();
  heartbeat->set_agent_time_unix_ms(now_ms());
  if (auto stats = spool_.stats()) {
    heartbeat->set_spool_depth(stats->depth);
    heartbeat->set_spool_evicted_total(stats->evicted_total);
  }
  if (connection_) connection_->send(protocol::encode(message));
  // Reports `get-help` spooled by itself while this daemon ran.
  pump();
}

std::chrono::seconds AgentRuntime::report_interval() const {
  if (options_.report_interval) return *options_.report_interval;
  if (collector_report_interval_s_ > 0) return std::chrono::seconds(collector_report_interval_s_);
  return std::chrono::seconds(900);
}

void AgentRuntime::schedule_report(std::chrono::steady_clock::duration delay) {
  if (stopping_) return;
  report_timer_.expires_after(delay);
  report_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    take_report();
    schedule_report(report_interval());
  });
}

void AgentRuntime::take_report() {
  if (report_running_) return;
  report_running_ = true;
  worker_.take([this](const v1::Snapshot& snapshot) {
    report_running_ = false;
    schedule_release();
    // Nothing to compare: the chain stays as it is and the next tick tries again. (Requested
    // snapshots and help requests do carry the failure, so the helpdesk sees it.)
    if (is_failed_snapshot(snapshot)) {
      spdlog::warn("scheduled report skipped: {}", snapshot.collectors(0).message());
      return;
    }
    store_report(snapshot);
  });
}

std::optional<std::uint64_t> AgentRuntime::spool_append(v1::AgentMessage& message,
                                                        const v1::Snapshot* chain_after) {
  auto seq = spool_.append(message, chain_after);
  if (!seq) {
    spdlog::error("{}", seq.error().message);
    return std::nullopt;
  }
  return *seq;
}

void AgentRuntime::store_report(const v1::Snapshot& snapshot) {
  auto chain = spool_.chain();
  if (!chain) {
    spdlog::error("{}", chain.error().message);
    return;
  }
  auto planned = plan_report(*chain, snapshot);
  if (!planned) {
    spdlog::debug("nothing changed since report #{}", (*chain)->last_seq);
    return;
  }
  const v1::Snapshot* after = planned->chain_after ? &*planned->chain_after : nullptr;
  auto seq = spool_append(planned->message, after);
  if (!seq) return;
  if (planned->message.has_delta()) {
    spdlog::info("delta #{} on #{}: {} changes, {} bytes", *seq,
                 planned->message.delta().delta().base_seq(),
                 planned->message.delta().delta().changes_size(), planned->message.ByteSizeLong());
  } else {
    spdlog::info("full snapshot #{} spooled ({} bytes)", *seq, planned->message.ByteSizeLong());
  }
  pump();
}

void AgentRuntime::answer_snapshot_request(std::string request_id) {
  worker_.take([this, id = std::move(request_id)](const v1::Snapshot& snapshot) {
    auto message = snapshot_report(snapshot, id);
    if (auto seq = spool_append(message)) {
      spdlog::info("snapshot #{} answers request {}", *seq, id);
      pump();
    }
    schedule_release();
  });
}

void AgentRuntime::submit_help(HelpSubmission help, HelpProgressFn progress) {
  if (!help_limiter_.allow(help.uid)) {
    spdlog::warn("help request from uid {} refused: too many this hour", help.uid);
    progress(HelpProgress{HelpState::kError, 0, "",
                          "too many help requests from this account; try again later"});
    return;
  }
  spdlog::info("help request {} from {} (uid {})", log_safe(help.request_id), log_safe(help.user),
               help.uid);
  worker_.take([this, help = std::move(help),
                progress = std::move(progress)](const v1::Snapshot& snapshot) mutable {
    auto message = help_report(help, snapshot);
    auto seq = spool_append(message);
    if (!seq) {
      progress(HelpProgress{HelpState::kError, 0, "", "the agent could not store the request"});
      return;
    }
    help_waiters_[*seq] = progress;
    progress(HelpProgress{HelpState::kQueued, *seq, "", ""});
    pump();
    schedule_release();
  });
}

void AgentRuntime::on_close(std::string_view reason) {
  const bool was_ready = ready_;
  ready_ = false;
  heartbeat_timer_.cancel();
  connection_.reset();
  retired_tls_.reset();
  renewal_asked_ = false;
  pending_renewal_.reset();
  // A live view is watched now: it does not outlive the connection it was asked on.
  if (live_) live_->connection_lost();
  in_flight_.clear();
  in_flight_bytes_ = 0;
  if (stopping_) {
    if (stopped_) std::exchange(stopped_, nullptr)();
    return;
  }
  if (was_ready) {
    spdlog::warn("disconnected from collector: {}", reason);
  } else {
    spdlog::warn("cannot connect to collector: {}", reason);
  }
  schedule_reconnect(reconnect_delay(backoff_, retry_after_));
}

}  // namespace triage::agent
