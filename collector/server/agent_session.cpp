#include "collector/server/agent_session.hpp"

#include <algorithm>
#include <atomic>

#include "shared/protocol/codec.hpp"
#include "shared/protocol/message_limits.hpp"
#include "shared/protocol/version.hpp"
#include "shared/protocol/wire_budget.hpp"
#include "shared/util/log_levels.hpp"
#include "shared/util/log_safe.hpp"

namespace triage::collector {

namespace {

std::atomic<std::uint64_t> next_session_id{1};

// Heartbeats refresh last_seen in the database at most this often per device.
constexpr auto kTouchInterval = std::chrono::seconds(30);

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const char* report_kind(v1::AgentMessage::BodyCase body) {
  switch (body) {
    case v1::AgentMessage::kSnapshot:
      return "snapshot";
    case v1::AgentMessage::kDelta:
      return "delta";
    case v1::AgentMessage::kHelpRequest:
      return "help_request";
    case v1::AgentMessage::kOrderResult:
      return "order_result";
    default:
      return nullptr;
  }
}

}  // namespace

AgentSession::AgentSession(std::string device_id, std::string certificate_sha256,
                           AgentSessionServices services, AgentSessionSettings settings)
    : device_id_(std::move(device_id)),
      certificate_sha256_(std::move(certificate_sha256)),
      services_(services),
      settings_(settings),
      session_id_(next_session_id++),
      shared_(std::make_shared<Shared>()),
      message_budget_(settings.messages_per_second, settings.message_burst),
      order_message_budget_(settings.order_messages_per_second, settings.order_message_burst) {}

void AgentSession::on_open(const std::shared_ptr<transport::WebSocketConnection>& connection) {
  shared_->connection = connection;
  remote_ = connection->peer().remote_address;
  certificate_not_before_ = connection->peer().certificate_not_before;
  certificate_not_after_ = connection->peer().certificate_not_after;
  // Revocation closes this socket too, hello or not.
  tracking_ = services_.presence.track(
      device_id_, [weak = std::weak_ptr<transport::WebSocketConnection>(connection)](
                      transport::CloseCode code, const std::string& reason) {
        if (auto conn = weak.lock()) conn->close(code, reason);
      });
  logs::ingest().debug("device {} connected from {}", device_id_, remote_);
}

void AgentSession::apply_rate_limit(v1::AgentMessage::BodyCase kind) {
  const bool order_message =
      kind == v1::AgentMessage::kOrderUpdate || kind == v1::AgentMessage::kOrderOutput ||
      kind == v1::AgentMessage::kOrderResult || kind == v1::AgentMessage::kProbeResult;
  const auto wait = (order_message ? order_message_budget_ : message_budget_).take();
  if (wait.count() == 0) return;
  services_.metrics.refusal("rate_limited").Increment();
  if (auto conn = shared_->connection.lock()) conn->pause_reading_for(wait);
}

void AgentSession::on_message(std::string_view frame) {
  services_.metrics.messages_received.Increment();
  services_.metrics.bytes_received.Increment(static_cast<double>(frame.size()));
  // What the frame would cost once parsed, counted before anything is built from it.
  auto budget = frame.size() <= settings_.max_message_bytes
                    ? protocol::measure_agent_message(frame)
                    : Result<protocol::WireBudget>(protocol::WireBudget{});
  if (budget && !budget->over_limit.empty()) {
    apply_rate_limit(v1::AgentMessage::BODY_NOT_SET);
    return refuse_over_limit(*budget);
  }
  auto message = budget ? protocol::decode_agent_message(frame, settings_.max_message_bytes)
                        : Result<v1::AgentMessage>(tl::unexpected(budget.error()));
  // Malformed frames spend from the reports' budget (and close the connection below).
  apply_rate_limit(message ? message->body_case() : v1::AgentMessage::BODY_NOT_SET);
  if (!message) {
    services_.metrics.refusal("malformed").Increment();
    logs::ingest().warn("device {} ({}): {}; closing", device_id_, remote_,
                        message.error().message);
    return refuse(v1::Refusal::MALFORMED_MESSAGE, message.error().message,
                  transport::CloseCode::kProtocolError);
  }
  if (!hello_sent_) {
    if (message->body_case() != v1::AgentMessage::kHello) {
      return refuse(v1::Refusal::MALFORMED_MESSAGE, "the first message must be a hello",
                    transport::CloseCode::kProtocolError);
    }
    return handle_hello(message->hello());
  }
  switch (message->body_case()) {
    case v1::AgentMessage::kHeartbeat:
      return handle_heartbeat(message->heartbeat());
    case v1::AgentMessage::kOrderUpdate:
    case v1::AgentMessage::kOrderOutput:
      return handle_order_progress(*message);
    case v1::AgentMessage::kProbeResult:
      return handle_probe_result(*message);
    case v1::AgentMessage::kLiveSample:
    case v1::AgentMessage::kLiveEnded:
      return handle_live(*message);
    case v1::AgentMessage::kCertificateRenewal:
      return handle_certificate_renewal(message->certificate_renewal());
    case v1::AgentMessage::kSnapshot:
    case v1::AgentMessage::kDelta:
    case v1::AgentMessage::kHelpRequest:
    case v1::AgentMessage::kOrderResult:
      return handle_report(*message, frame, budget->elements);
    case v1::AgentMessage::kHello:
      return refuse(v1::Refusal::MALFORMED_MESSAGE, "hello sent twice",
                    transport::CloseCode::kProtocolError);
    case v1::AgentMessage::BODY_NOT_SET:
      // A newer agent's message type: ignore it, keep the session (forward compatibility).
      logs::ingest().debug("device {}: ignoring a message of unknown type", device_id_);
      return;
    default:
      logs::ingest().debug("device {}: message type {} not handled yet", device_id_,
                           static_cast<int>(message->body_case()));
      return;
  }
}

void AgentSession::handle_hello(const v1::Hello& hello) {
  auto version = protocol::negotiate_version(hello.protocol_min(), hello.protocol_max());
  if (!version) {
    logs::ingest().warn("device {} ({}) refused: {}", device_id_, remote_, version.error().message);
    services_.metrics.refusal("protocol_version").Increment();
    return refuse(v1::Refusal::PROTOCOL_VERSION_UNSUPPORTED, version.error().message,
                  transport::CloseCode::kUnsupportedVersion);
  }
  const auto& f = hello.facts();
  // Clip what the endpoint says about itself before storing it.
  auto clip = [](const std::string& s) { return s.substr(0, 255); };
  DeviceHelloFacts facts{clip(f.hostname()),       clip(hello.agent_version()),
                         clip(f.os_pretty_name()), clip(f.kernel()),
                         clip(f.arch()),           f.platform().substr(0, 16)};
  auto conn = shared_->connection.lock();
  if (!conn) return;
  // The hello came in time: the hello deadline ends and the connection no longer counts
  // against its address's unauthenticated connections.
  conn->authenticated();
  // The hello's database write waits for the writer (maybe behind a batch commit), never on
  // an I/O thread; nothing more is read from this agent until the hello is answered.
  hello_sent_ = true;
  last_touch_ = std::chrono::steady_clock::now();
  conn->pause_reading();
  // The task holds the connection: with reading paused and nothing to write, no pending
  // operation would keep it alive. It is released right after the answer is queued.
  services_.writer.post([conn, shared = shared_, services = services_, settings = settings_,
                         device_id = device_id_, certificate = certificate_sha256_,
                         session_id = session_id_, remote = remote_, facts = std::move(facts),
                         version = *version]() mutable {
    complete_hello(conn, shared, services, settings, device_id, certificate, session_id, remote,
                   facts, version);
    conn.reset();
  });
}

void AgentSession::complete_hello(const std::shared_ptr<transport::WebSocketConnection>& conn,
                                  const std::shared_ptr<Shared>& shared,
                                  AgentSessionServices services, AgentSessionSettings settings,
                                  const std::string& device_id,
                                  const std::string& certificate_sha256, std::uint64_t session_id,
                                  const std::string& remote, const DeviceHelloFacts& facts,
                                  std::uint32_t version) {
  auto unavailable = [&] {
    v1::CollectorMessage refusal;
    refusal.mutable_refusal()->set_reason(v1::Refusal::SHUTTING_DOWN);
    refusal.mutable_refusal()->set_message("collector storage unavailable");
    conn->send(protocol::encode(refusal));
    conn->close(transport::CloseCode::kTryAgainLater, "collector storage unavailable");
  };
  // The device's status again, as it is now: it may have been revoked (by the API, or by the
  // CLI, which cannot reach this process) since the connection was accepted.
  auto device = services.store.read().devices().find_device(device_id);
  if (!device) return unavailable();
  std::string refusal_text;
  if (!*device) {
    refusal_text = "device " + device_id + " is not enrolled here";
  } else if ((*device)->revoked_at) {
    refusal_text = "device " + device_id + " was revoked";
  } else if (!certificate_accepted(**device, certificate_sha256)) {
    refusal_text = "certificate of device " + device_id + " was superseded";
  }
  if (!refusal_text.empty()) {
    logs::ingest().warn("device {} ({}) refused at hello: {}", device_id, remote, refusal_text);
    services.metrics.refusal("revoked").Increment();
    v1::CollectorMessage refusal;
    refusal.mutable_refusal()->set_reason(*device ? v1::Refusal::DEVICE_REVOKED
                                                  : v1::Refusal::DEVICE_UNKNOWN);
    refusal.mutable_refusal()->set_message(refusal_text);
    conn->send(protocol::encode(refusal));
    conn->close(*device ? transport::CloseCode::kRevoked : transport::CloseCode::kUnknownDevice,
                refusal_text);
    return;
  }
  // Connected with the certificate its renewal issued: the one it replaced is accepted no more.
  const bool retire_previous = !(*device)->previous_certificate_sha256.empty() &&
                               (*device)->certificate_sha256 == certificate_sha256;
  if (auto r = services.store.write([&](WriteTx& tx) -> Result<void> {
        if (retire_previous) {
          if (auto retired = tx.devices().retire_previous_certificate(device_id); !retired)
            return retired;
        }
        return tx.devices().record_hello(device_id, facts, std::chrono::system_clock::now());
      });
      !r) {
    logs::ingest().error("device {}: recording hello: {}", device_id, r.error().message);
    return unavailable();
  }
  auto last_seq = services.store.read().reports().last_report_seq(device_id);
  auto state = services.store.read().reports().device_state(device_id, /*with_snapshot=*/false);
  if (!last_seq || !state) return unavailable();
  v1::CollectorMessage reply;
  auto* ack = reply.mutable_hello_ack();
  ack->set_protocol_version(version);
  ack->set_device_id(device_id);
  ack->set_collector_version(TRIAGE_VERSION);
  ack->set_last_committed_seq(*last_seq);
  // No state yet, or a gap since: deltas cannot be applied until a full snapshot arrives.
  ack->set_want_full_snapshot(!*state || (*state)->stale);
  ack->set_heartbeat_interval_s(settings.heartbeat_interval_s);
  ack->set_report_interval_s(settings.report_interval_s);
  ack->set_server_time_unix_ms(now_ms());
  if (services.orders) *ack->mutable_action_catalog() = services.orders->signed_catalog();
  {
    // on_close may run meanwhile: the session is online only if it has not ended. The HelloAck
    // is queued before the session is registered, so whatever other threads send (orders)
    // queues behind it.
    std::lock_guard lock(shared->mutex);
    if (shared->closed) return;
    conn->send(protocol::encode(reply));
    if (auto previous = services.presence.attach(device_id, session_id, conn)) {
      previous->close(transport::CloseCode::kReplaced, "replaced by a newer connection");
    }
    shared->hello_done = true;
  }
  services.metrics.connected_agents.Increment();
  conn->resume_reading();
  if (services.orders) services.orders->dispatch(device_id);
  logs::ingest().info("device {} ({}) online from {}, agent {}, protocol {}", device_id,
                      log_safe(facts.hostname), remote, log_safe(facts.agent_version), version);
}

void AgentSession::handle_heartbeat(const v1::Heartbeat&) {
  auto now = std::chrono::steady_clock::now();
  if (now - last_touch_ < kTouchInterval) return;
  last_touch_ = now;
  services_.writer.post([&store = services_.store, device_id = device_id_,
                         when = std::chrono::system_clock::now()] {
    if (auto r =
            store.write([&](WriteTx& tx) { return tx.devices().touch_device(device_id, when); });
        !r) {
      logs::ingest().warn("device {}: updating last seen: {}", device_id, r.error().message);
    }
  });
}

void AgentSession::handle_order_progress(const v1::AgentMessage& message) {
  if (!services_.orders) return;
  // Stored by the writer thread, never on an I/O thread behind a batch commit; its tasks run
  // in posting order before its next batch, so output is stored before a result that came
  // after it on this connection. The arrival time is the one the order keeps.
  services_.writer.post([orders = services_.orders, device_id = device_id_, message,
                         received_at = std::chrono::system_clock::now()] {
    auto r = message.has_order_update()
                 ? orders->record_update(device_id, message.order_update())
                 : orders->record_output(device_id, message.order_output(), received_at);
    if (!r)
      logs::ingest().error("device {}: recording order progress: {}", device_id, r.error().message);
  });
}

void AgentSession::handle_probe_result(const v1::AgentMessage& message) {
  if (!services_.probes) return;
  // Recorded by the writer thread, never on an I/O thread behind a batch commit.
  services_.writer.post([probes = services_.probes, device_id = device_id_, message] {
    auto r =
        probes->record_result(device_id, message.probe_result(), std::chrono::system_clock::now());
    if (!r)
      logs::ingest().error("device {}: recording a probe result: {}", device_id, r.error().message);
  });
}

void AgentSession::handle_certificate_renewal(const v1::CertificateRenewal& renewal) {
  auto conn = shared_->connection.lock();
  if (!conn) return;
  auto answer = [](const std::shared_ptr<transport::WebSocketConnection>& to,
                   const std::string& certificate, const std::string& error) {
    v1::CollectorMessage reply;
    reply.mutable_certificate_renewed()->set_certificate_pem(certificate);
    reply.mutable_certificate_renewed()->set_error(error);
    to->send(protocol::encode(reply));
  };
  if (!services_.renewer) return answer(conn, "", "certificate renewal is not offered here");
  // One question per connection: an agent that got its certificate reconnects with it.
  if (renewal_asked_) return answer(conn, "", "a renewal was already asked on this connection");
  renewal_asked_ = true;
  RenewalRequest request{device_id_,
                         certificate_sha256_,
                         certificate_not_before_,
                         certificate_not_after_,
                         renewal.csr_pem(),
                         remote_};
  // Signed and recorded by the writer thread, never on an I/O thread behind a batch commit.
  services_.writer.post([renewer = services_.renewer, request = std::move(request),
                         weak = std::weak_ptr<transport::WebSocketConnection>(conn), answer] {
    auto renewed = renewer->renew(request, std::chrono::system_clock::now());
    if (renewed) {
      logs::ingest().info("device {} ({}): certificate renewed", request.device_id, request.source);
    } else {
      logs::ingest().warn("device {} ({}): certificate renewal refused: {}", request.device_id,
                          request.source, renewed.error().message);
    }
    if (auto to = weak.lock()) {
      answer(to, renewed ? *renewed : std::string(), renewed ? "" : renewed.error().message);
    }
  });
}

void AgentSession::handle_live(const v1::AgentMessage& message) {
  if (!services_.live) return;
  auto* live = services_.live;
  if (message.has_live_sample()) {
    // Kept, then stored in one transaction with whatever else arrived meanwhile: the first
    // sample after a flush schedules the next one on the writer thread.
    if (live->accept_sample(device_id_, message.live_sample())) {
      services_.writer.post([live] {
        if (auto r = live->flush(); !r)
          logs::ingest().error("storing live samples: {}", r.error().message);
      });
    }
    return;
  }
  services_.writer.post([live, device_id = device_id_, ended = message.live_ended()] {
    if (auto r = live->record_ended(device_id, ended, std::chrono::system_clock::now()); !r)
      logs::ingest().error("device {}: recording a live view's end: {}", device_id,
                           r.error().message);
  });
}

void AgentSession::refuse_over_limit(const protocol::WireBudget& budget) {
  services_.metrics.refusal("over_limit").Increment();
  const bool report = budget.body_field == v1::AgentMessage::kSnapshotFieldNumber ||
                      budget.body_field == v1::AgentMessage::kDeltaFieldNumber ||
                      budget.body_field == v1::AgentMessage::kHelpRequestFieldNumber ||
                      budget.body_field == v1::AgentMessage::kOrderResultFieldNumber;
  if (!hello_sent_ || !report || budget.seq == 0) {
    logs::ingest().warn("device {} ({}): message refused unparsed: {}; closing", device_id_,
                        remote_, budget.over_limit);
    return refuse(v1::Refusal::MALFORMED_MESSAGE, budget.over_limit, transport::CloseCode::kTooBig);
  }
  // A report is refused for good (the agent drops it from its spool) and the connection stays.
  const std::uint64_t seq = budget.seq;
  logs::ingest().warn("device {} ({}): report #{} refused unparsed: {}", device_id_, remote_, seq,
                      budget.over_limit);
  services_.metrics.reports_rejected.Increment();
  v1::CollectorMessage reply;
  auto* entry = reply.mutable_ack()->add_entries();
  entry->set_seq(seq);
  entry->set_status(v1::Ack::REJECTED);
  entry->set_reason(budget.over_limit);
  send(reply);
  if (budget.body_field != v1::AgentMessage::kSnapshotFieldNumber &&
      budget.body_field != v1::AgentMessage::kDeltaFieldNumber) {
    return;
  }
  // The chain is broken at this report: the state is stale until a full snapshot, which is
  // asked for at once after a delta (after a snapshot it would only be refused again; every
  // hello ack asks while the state is stale).
  services_.writer.post([&store = services_.store, device_id = device_id_, seq] {
    IngestBatch batch;
    batch.stale_marks.push_back(StaleMark{device_id, seq});
    if (auto r = store.write([&](WriteTx& tx) { return tx.reports().store_ingest(batch); }); !r) {
      logs::ingest().error("device {}: marking the state stale: {}", device_id, r.error().message);
    }
  });
  if (budget.body_field == v1::AgentMessage::kDeltaFieldNumber) {
    v1::CollectorMessage request;
    request.mutable_snapshot_request()->set_request_id("limit-" + std::to_string(seq));
    request.mutable_snapshot_request()->set_reason("report " + std::to_string(seq) +
                                                   " refused: " + budget.over_limit);
    send(request);
  }
}

void AgentSession::handle_report(const v1::AgentMessage& message, std::string_view frame,
                                 std::uint64_t elements) {
  const std::uint64_t seq = message.seq();
  if (seq == 0) {
    services_.metrics.reports_rejected.Increment();
    v1::CollectorMessage reply;
    auto* entry = reply.mutable_ack()->add_entries();
    entry->set_status(v1::Ack::REJECTED);
    entry->set_reason("report without a sequence number");
    return send(reply);
  }
  StoredReport report;
  report.device_id = device_id_;
  report.seq = seq;
  report.kind = report_kind(message.body_case());
  report.received_at = std::chrono::system_clock::now();
  // Stored exactly as received (it decoded cleanly above): no re-encoding on the hot path.
  report.payload = std::string(frame);

  auto conn = shared_->connection.lock();
  if (!conn) return;
  // What the report costs until committed: its bytes, and its elements once the writer parses
  // it. One device holds at most max_in_flight_cost of them (plus the report that crossed it).
  const std::size_t cost = frame.size() + elements * protocol::kParsedBytesPerElement;
  const int in_flight = ++shared_->in_flight;
  const std::size_t in_flight_cost = shared_->in_flight_cost += cost;
  if ((in_flight >= settings_.max_in_flight || in_flight_cost >= settings_.max_in_flight_cost) &&
      !shared_->paused_for_in_flight.exchange(true)) {
    conn->pause_reading();
  }
  const int resume_below = settings_.max_in_flight / 2;
  const std::size_t resume_below_cost = settings_.max_in_flight_cost / 2;
  auto shared = shared_;
  auto device_id = device_id_;
  auto kind = report.kind;
  // What must happen after commit, before the acknowledgement (runs on the writer thread).
  std::string snapshot_request_id;
  if (message.has_snapshot()) snapshot_request_id = message.snapshot().request_id().substr(0, 64);
  std::shared_ptr<const v1::HelpRequest> help;
  if (message.has_help_request()) help = std::make_shared<v1::HelpRequest>(message.help_request());
  std::shared_ptr<const v1::OrderResult> order_result;
  if (message.has_order_result()) {
    order_result = std::make_shared<v1::OrderResult>(message.order_result());
  }
  auto* enrichment = services_.enrichment;
  auto* presence = &services_.presence;
  auto* intake = services_.help_intake;
  auto* orders = services_.orders;
  // The completion holds the connection: while reading is paused for back-pressure no
  // read is pending, and nothing else would keep an idle connection alive until it resumes
  // (it was dropped without a close, and the device stayed "online").
  bool room = services_.writer.submit(
      std::move(report), cost,
      [conn, shared, device_id, kind, seq, resume_below, resume_below_cost, cost,
       snapshot_request_id, help, order_result, enrichment, presence, intake,
       orders](const Result<IngestOutcome>& stored) {
        if (!stored) {
          // Not committed, so not acknowledged: the agent resends it after reconnecting, so
          // the connection ends here. Kept open, the report would wait in the agent's window
          // until some later reconnect, and its next delta would break the chain meanwhile.
          logs::ingest().error("device {}: storing {} #{}: {}", device_id, kind, seq,
                               stored.error().message);
          if (conn) conn->close(transport::CloseCode::kTryAgainLater, "collector storage failed");
        } else {
          v1::CollectorMessage reply;
          auto* entry = reply.mutable_ack()->add_entries();
          entry->set_seq(seq);
          entry->set_status(stored->stored ? v1::Ack::STORED : v1::Ack::DUPLICATE);
          bool acknowledge = true;
          if (stored->state == StateEffect::kGap && conn) {
            // Asked once, at the first gap; a reconnecting agent is asked in the hello ack.
            v1::CollectorMessage request;
            request.mutable_snapshot_request()->set_request_id("gap-" + std::to_string(seq));
            request.mutable_snapshot_request()->set_reason("gap in the delta chain at report " +
                                                           std::to_string(seq));
            conn->send(protocol::encode(request));
          }
          if (kind == "snapshot" && !snapshot_request_id.empty()) {
            if (enrichment) enrichment->snapshot_committed(device_id, seq, snapshot_request_id);
            // Another collector node may be the one that asked.
            presence->snapshot_committed(device_id, seq, snapshot_request_id);
          }
          if (enrichment && stored->state == StateEffect::kApplied) {
            enrichment->state_changed(device_id);
          }
          // Only a new request counts against the device's limits; a resend (duplicate) gets
          // the ticket it already has. A refused one is dropped by the agent, which tells the
          // end user why.
          auto admitted =
              help && intake && stored->stored ? intake->admit(device_id) : Result<void>{};
          if (!admitted) {
            entry->set_status(v1::Ack::REJECTED);
            entry->set_reason(admitted.error().message);
          } else if (help && intake) {
            // The ticket is part of what the acknowledgement promises: no ticket, no ack,
            // and the agent's resend (a duplicate) tries again.
            if (auto ticket = intake->open_ticket(device_id, seq, *help)) {
              entry->set_ticket_id(std::to_string(*ticket));
            } else {
              acknowledge = false;
              logs::ingest().error("device {}: help request #{} not turned into a ticket: {}",
                                   device_id, seq, ticket.error().message);
            }
          }
          if (order_result && orders) {
            // The order's state, timeline and time entry are what the acknowledgement
            // promises: committed first, or no ack and the agent resends.
            if (auto r = orders->record_result(device_id, *order_result); !r) {
              acknowledge = false;
              logs::ingest().error("device {}: order result #{} not recorded: {}", device_id, seq,
                                   r.error().message);
            }
          }
          if (conn && acknowledge) conn->send(protocol::encode(reply));
        }
        const std::size_t left_cost = shared->in_flight_cost -= cost;
        if (--shared->in_flight < resume_below && left_cost < resume_below_cost &&
            shared->paused_for_in_flight.exchange(false) && conn) {
          conn->resume_reading();
        }
      });
  if (!room) {
    conn->pause_reading();
    services_.writer.wait_for_room([conn] { conn->resume_reading(); });
  }
}

void AgentSession::refuse(v1::Refusal::Reason reason, const std::string& text,
                          transport::CloseCode code) {
  v1::CollectorMessage message;
  message.mutable_refusal()->set_reason(reason);
  message.mutable_refusal()->set_message(text);
  send(message);
  if (auto conn = shared_->connection.lock()) conn->close(code, text);
}

void AgentSession::send(const v1::CollectorMessage& message) {
  if (auto conn = shared_->connection.lock()) {
    if (!conn->send(protocol::encode(message))) {
      logs::ingest().warn("device {}: send queue full; closing", device_id_);
      conn->close(transport::CloseCode::kTryAgainLater, "send queue full");
    }
  }
}

void AgentSession::on_close(std::string_view reason) {
  tracking_.reset();
  bool online = false;
  {
    std::lock_guard lock(shared_->mutex);
    shared_->closed = true;
    online = shared_->hello_done;
  }
  if (online) {
    services_.presence.detach(device_id_, session_id_);
    services_.metrics.connected_agents.Decrement();
    logs::ingest().info("device {} offline: {}", device_id_, reason);
    if (services_.live) {
      // A live view does not outlive the connection (the agent stops it there too).
      services_.writer.post([live = services_.live, device_id = device_id_] {
        if (auto r = live->device_disconnected(device_id, std::chrono::system_clock::now()); !r)
          logs::ingest().warn("device {}: ending its live view: {}", device_id, r.error().message);
      });
    }
  } else {
    logs::ingest().debug("device {} ({}) closed before hello: {}", device_id_, remote_, reason);
  }
}

}  // namespace triage::collector
