#include "agent/service/agent_runtime.hpp"

#include <charconv>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "agent/collectors/device_facts.hpp"
#include "shared/protocol/codec.hpp"
#include "shared/protocol/version.hpp"
#include "shared/transport/websocket_client.hpp"
#include "shared/util/files.hpp"
#include "shared/util/fs_root.hpp"

namespace triage::agent {

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

AgentRuntime::AgentRuntime(boost::asio::io_context& ioc, StateDir state, AgentIdentity identity,
                           transport::SslContextPtr tls, AgentRunOptions options)
    : ioc_(ioc),
      state_(std::move(state)),
      identity_(std::move(identity)),
      tls_(std::move(tls)),
      options_(std::move(options)),
      backoff_(options_.backoff_base, options_.backoff_cap),
      reconnect_timer_(ioc),
      heartbeat_timer_(ioc),
      taker_(options_.snapshot) {
  auto url = transport::parse_url(identity_.enrollment.server_url);
  if (!url) throw std::runtime_error("enrollment server URL: " + url.error().message);
  url_ = *url;
  // The sequence survives restarts, so the collector's de-duplication stays meaningful.
  if (auto text = read_file(state_.sequence(), 64)) {
    std::uint64_t value = 0;
    auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec == std::errc() && value > 0) next_seq_ = value;
  }
}

AgentRuntime::~AgentRuntime() {
  if (snapshot_thread_.joinable()) snapshot_thread_.join();
}

void AgentRuntime::start() { connect(); }

void AgentRuntime::stop(std::function<void()> stopped) {
  stopping_ = true;
  stopped_ = std::move(stopped);
  reconnect_timer_.cancel();
  heartbeat_timer_.cancel();
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
  spdlog::debug("connecting to {}:{}", url_.host, url_.port);
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
  hello->set_next_seq(next_seq_);
  hello->add_capabilities("snapshot");
  hello->set_agent_time_unix_ms(now_ms());
  send(message);
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
      spdlog::error("collector refused this agent: {}", refusal.message());
      if (refusal.retry_after_s() > 0) retry_after_ = std::chrono::seconds(refusal.retry_after_s());
      return;
    }
    case v1::CollectorMessage::kAck:
      for (const auto& entry : message->ack().entries()) {
        spdlog::debug("report #{} acknowledged ({})", entry.seq(),
                      v1::Ack::Status_Name(entry.status()));
      }
      return;
    case v1::CollectorMessage::kSnapshotRequest:
      return send_snapshot(message->snapshot_request().request_id());
    default:
      // Unknown or not yet supported here: ignore (forward compatibility).
      return;
  }
}

void AgentRuntime::handle_hello_ack(const v1::HelloAck& ack) {
  ready_ = true;
  backoff_.reset();
  retry_after_.reset();
  // Never reuse a sequence number the collector has already committed.
  if (ack.last_committed_seq() >= next_seq_) next_seq_ = ack.last_committed_seq() + 1;
  heartbeat_interval_s_ = ack.heartbeat_interval_s() > 0 ? ack.heartbeat_interval_s() : 60;
  auto skew_ms = now_ms() - ack.server_time_unix_ms();
  spdlog::info("connected to {}:{} as device {} (protocol {}, clock offset {} ms)", url_.host,
               url_.port, ack.device_id(), ack.protocol_version(), skew_ms);
  schedule_heartbeat();
  if (ack.want_full_snapshot()) send_snapshot("");
}

void AgentRuntime::schedule_heartbeat() {
  heartbeat_timer_.expires_after(std::chrono::seconds(heartbeat_interval_s_));
  heartbeat_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || !ready_) return;
    v1::AgentMessage message;
    message.mutable_heartbeat()->set_agent_time_unix_ms(now_ms());
    send(message);
    schedule_heartbeat();
  });
}

void AgentRuntime::send_snapshot(std::string request_id) {
  if (snapshot_running_) return;
  snapshot_running_ = true;
  if (snapshot_thread_.joinable()) snapshot_thread_.join();
  snapshot_thread_ = std::thread([this, request_id = std::move(request_id)]() mutable {
    auto snapshot = taker_.take();
    boost::asio::post(ioc_, [this, s = std::move(snapshot), id = std::move(request_id)]() mutable {
      deliver_snapshot(std::move(s), std::move(id));
    });
  });
}

void AgentRuntime::deliver_snapshot(v1::Snapshot snapshot, std::string request_id) {
  snapshot_running_ = false;
  if (!ready_) return;
  v1::AgentMessage message;
  message.set_seq(take_seq());
  *message.mutable_snapshot()->mutable_snapshot() = std::move(snapshot);
  message.mutable_snapshot()->set_request_id(std::move(request_id));
  if (send(message)) spdlog::info("snapshot #{} sent", message.seq());
}

std::uint64_t AgentRuntime::take_seq() {
  std::uint64_t seq = next_seq_++;
  if (auto r = write_file_atomic(state_.sequence(), std::to_string(next_seq_), 0600); !r) {
    spdlog::warn("persisting the sequence number: {}", r.error().message);
  }
  return seq;
}

bool AgentRuntime::send(const v1::AgentMessage& message) {
  if (!connection_) return false;
  return connection_->send(protocol::encode(message));
}

void AgentRuntime::on_close(std::string_view reason) {
  const bool was_ready = ready_;
  ready_ = false;
  heartbeat_timer_.cancel();
  connection_.reset();
  if (stopping_) {
    if (stopped_) std::exchange(stopped_, nullptr)();
    return;
  }
  if (was_ready) {
    spdlog::warn("disconnected from collector: {}", reason);
  } else {
    spdlog::warn("cannot connect to collector: {}", reason);
  }
  auto delay = backoff_.next();
  if (retry_after_ && *retry_after_ > delay) delay = *retry_after_;
  schedule_reconnect(delay);
}

}  // namespace triage::agent
