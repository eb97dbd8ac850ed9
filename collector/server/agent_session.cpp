#include "collector/server/agent_session.hpp"

#include <atomic>

#include <spdlog/spdlog.h>

#include "shared/protocol/codec.hpp"
#include "shared/protocol/version.hpp"

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

AgentSession::AgentSession(std::string device_id, Store& store, AgentRegistry& registry,
                           AgentSessionSettings settings)
    : device_id_(std::move(device_id)),
      store_(store),
      registry_(registry),
      settings_(settings),
      session_id_(next_session_id++) {}

void AgentSession::on_open(const std::shared_ptr<transport::WebSocketConnection>& connection) {
  connection_ = connection;
  remote_ = connection->peer().remote_address;
  spdlog::debug("device {} connected from {}", device_id_, remote_);
}

void AgentSession::on_message(std::string_view frame) {
  auto message = protocol::decode_agent_message(frame, settings_.max_message_bytes);
  if (!message) {
    spdlog::warn("device {} ({}): {}; closing", device_id_, remote_, message.error().message);
    return refuse(v1::Refusal::MALFORMED_MESSAGE, message.error().message,
                  transport::CloseCode::kProtocolError);
  }
  if (!hello_done_) {
    if (message->body_case() != v1::AgentMessage::kHello) {
      return refuse(v1::Refusal::MALFORMED_MESSAGE, "the first message must be a hello",
                    transport::CloseCode::kProtocolError);
    }
    return handle_hello(message->hello());
  }
  switch (message->body_case()) {
    case v1::AgentMessage::kHeartbeat:
      return handle_heartbeat(message->heartbeat());
    case v1::AgentMessage::kSnapshot:
    case v1::AgentMessage::kDelta:
    case v1::AgentMessage::kHelpRequest:
    case v1::AgentMessage::kOrderResult:
      return handle_report(*message);
    case v1::AgentMessage::kHello:
      return refuse(v1::Refusal::MALFORMED_MESSAGE, "hello sent twice",
                    transport::CloseCode::kProtocolError);
    case v1::AgentMessage::BODY_NOT_SET:
      // A newer agent's message type: ignore it, keep the session (forward compatibility).
      spdlog::debug("device {}: ignoring a message of unknown type", device_id_);
      return;
    default:
      spdlog::debug("device {}: message type {} not handled yet", device_id_,
                    static_cast<int>(message->body_case()));
      return;
  }
}

void AgentSession::handle_hello(const v1::Hello& hello) {
  auto version = protocol::negotiate_version(hello.protocol_min(), hello.protocol_max());
  if (!version) {
    spdlog::warn("device {} ({}) refused: {}", device_id_, remote_, version.error().message);
    return refuse(v1::Refusal::PROTOCOL_VERSION_UNSUPPORTED, version.error().message,
                  transport::CloseCode::kUnsupportedVersion);
  }
  const auto& f = hello.facts();
  // Clip what the endpoint says about itself before storing it.
  auto clip = [](const std::string& s) { return s.substr(0, 255); };
  DeviceHelloFacts facts{clip(f.hostname()), clip(hello.agent_version()),
                         clip(f.os_pretty_name()), clip(f.kernel()), clip(f.arch())};
  if (auto r = store_.record_hello(device_id_, facts, std::chrono::system_clock::now()); !r) {
    spdlog::error("device {}: recording hello: {}", device_id_, r.error().message);
    return refuse(v1::Refusal::SHUTTING_DOWN, "collector storage unavailable",
                  transport::CloseCode::kTryAgainLater);
  }
  auto last_seq = store_.last_report_seq(device_id_);
  auto snapshot = store_.latest_snapshot(device_id_);
  if (!last_seq || !snapshot) {
    return refuse(v1::Refusal::SHUTTING_DOWN, "collector storage unavailable",
                  transport::CloseCode::kTryAgainLater);
  }
  hello_done_ = true;
  last_touch_ = std::chrono::steady_clock::now();
  if (auto conn = connection_.lock()) {
    if (auto previous = registry_.attach(device_id_, session_id_, conn)) {
      previous->close(transport::CloseCode::kReplaced, "replaced by a newer connection");
    }
  }
  v1::CollectorMessage reply;
  auto* ack = reply.mutable_hello_ack();
  ack->set_protocol_version(*version);
  ack->set_device_id(device_id_);
  ack->set_collector_version(TRIAGE_VERSION);
  ack->set_last_committed_seq(*last_seq);
  ack->set_want_full_snapshot(!snapshot->has_value());
  ack->set_heartbeat_interval_s(settings_.heartbeat_interval_s);
  ack->set_report_interval_s(settings_.report_interval_s);
  ack->set_server_time_unix_ms(now_ms());
  send(reply);
  spdlog::info("device {} ({}) online from {}, agent {}, protocol {}", device_id_,
               facts.hostname, remote_, facts.agent_version, *version);
}

void AgentSession::handle_heartbeat(const v1::Heartbeat&) {
  auto now = std::chrono::steady_clock::now();
  if (now - last_touch_ < kTouchInterval) return;
  last_touch_ = now;
  if (auto r = store_.touch_device(device_id_, std::chrono::system_clock::now()); !r) {
    spdlog::warn("device {}: updating last seen: {}", device_id_, r.error().message);
  }
}

void AgentSession::handle_report(const v1::AgentMessage& message) {
  v1::CollectorMessage reply;
  auto* entry = reply.mutable_ack()->add_entries();
  entry->set_seq(message.seq());
  if (message.seq() == 0) {
    entry->set_status(v1::Ack::REJECTED);
    entry->set_reason("report without a sequence number");
    return send(reply);
  }
  StoredReport report;
  report.device_id = device_id_;
  report.seq = message.seq();
  report.kind = report_kind(message.body_case());
  report.received_at = std::chrono::system_clock::now();
  message.SerializeToString(&report.payload);
  auto stored = store_.store_report(report);
  if (!stored) {
    // Not committed, so not acknowledged: the agent keeps it in its spool and resends.
    spdlog::error("device {}: storing {} #{}: {}", device_id_, report.kind, report.seq,
                  stored.error().message);
    return;
  }
  entry->set_status(*stored ? v1::Ack::STORED : v1::Ack::DUPLICATE);
  send(reply);
}

void AgentSession::refuse(v1::Refusal::Reason reason, const std::string& text,
                          transport::CloseCode code) {
  v1::CollectorMessage message;
  message.mutable_refusal()->set_reason(reason);
  message.mutable_refusal()->set_message(text);
  send(message);
  if (auto conn = connection_.lock()) conn->close(code, text);
}

void AgentSession::send(const v1::CollectorMessage& message) {
  if (auto conn = connection_.lock()) {
    if (!conn->send(protocol::encode(message))) {
      spdlog::warn("device {}: send queue full; closing", device_id_);
      conn->close(transport::CloseCode::kTryAgainLater, "send queue full");
    }
  }
}

void AgentSession::on_close(std::string_view reason) {
  if (hello_done_) {
    registry_.detach(device_id_, session_id_);
    spdlog::info("device {} offline: {}", device_id_, reason);
  } else {
    spdlog::debug("device {} ({}) closed before hello: {}", device_id_, remote_, reason);
  }
}

}  // namespace triage::collector
