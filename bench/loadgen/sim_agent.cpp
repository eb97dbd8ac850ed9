#include "bench/loadgen/sim_agent.hpp"

#include "shared/protocol/codec.hpp"
#include "shared/protocol/version.hpp"

namespace triage::loadgen {

SimAgent::SimAgent(boost::asio::io_context& ioc, boost::asio::ssl::context& tls, const Identity& id,
                   std::uint32_t index, const Workload& workload, Stats& stats)
    : ioc_(ioc),
      tls_(tls),
      id_(id),
      index_(index),
      workload_(workload),
      stats_(stats),
      backoff_(workload.backoff_base, workload.backoff_cap, index),
      reconnect_timer_(ioc),
      live_timer_(ioc) {
  if (workload.tls_resumption) session_slot_ = std::make_shared<transport::TlsSessionSlot>();
}

void SimAgent::connect() {
  if (stopping_ || connection_) return;
  ++stats_.attempts;
  transport::WebSocketClientOptions options;
  options.host = workload_.host;
  options.port = workload_.port;
  options.limits.handshake_timeout = workload_.handshake_timeout;
  options.configure_ssl = [this](SSL* ssl) {
    SSL_use_certificate(ssl, id_.certificate.get());
    SSL_use_PrivateKey(ssl, id_.key.get());
  };
  options.session_slot = session_slot_;
  connection_ = transport::connect_websocket(ioc_, tls_, *this, options);
}

void SimAgent::close() {
  stopping_ = true;
  reconnect_timer_.cancel();
  live_timer_.cancel();
  if (connection_) connection_->close(transport::CloseCode::kGoingAway, "load test done");
}

void SimAgent::on_open(const std::shared_ptr<transport::WebSocketConnection>& connection) {
  if (connection->peer().tls_session_resumed) ++stats_.resumed;
  v1::AgentMessage hello;
  auto* h = hello.mutable_hello();
  h->set_protocol_min(protocol::kProtocolMin);
  h->set_protocol_max(protocol::kProtocolMax);
  h->set_agent_version("loadgen/" TRIAGE_VERSION);
  h->mutable_facts()->set_hostname("sim-" + std::to_string(index_));
  h->mutable_facts()->set_os_pretty_name("Simulated Linux");
  connection_->send(protocol::encode(hello));
}

void SimAgent::on_message(std::string_view frame) {
  auto message = protocol::decode_collector_message(frame);
  if (!message) return;
  if (message->has_hello_ack()) return on_hello_ack(message->hello_ack());
  if (message->has_snapshot_request()) {
    if (ready_) send_report(/*snapshot=*/true);
    return;
  }
  if (message->has_live_start()) return start_live(message->live_start());
  if (message->has_live_stop()) {
    if (message->live_stop().live_session_id() == live_session_) {
      live_session_.clear();
      live_timer_.cancel();
    }
    return;
  }
  if (message->has_ack()) {
    auto now = std::chrono::steady_clock::now();
    for (const auto& entry : message->ack().entries()) {
      unacked_.erase(entry.seq());
      auto it = sent_at_.find(entry.seq());
      if (it == sent_at_.end()) continue;
      if (stats_.traffic.load(std::memory_order_relaxed)) {
        stats_.ack_latency_ms.push_back(
            std::chrono::duration<double, std::milli>(now - it->second).count());
      }
      sent_at_.erase(it);
      --stats_.unacked;
      if (entry.status() == v1::Ack::STORED || entry.status() == v1::Ack::DUPLICATE) {
        ++stats_.acked;
        if (entry.status() == v1::Ack::DUPLICATE) ++stats_.duplicates;
        stats_.acked_reports.emplace_back(index_, entry.seq());
      }
    }
  }
}

void SimAgent::on_hello_ack(const v1::HelloAck& ack) {
  const std::uint64_t committed = ack.last_committed_seq();
  if (committed >= next_seq_) next_seq_ = committed + 1;
  ready_ = true;
  backoff_.reset();
  ++stats_.connected;
  ++stats_.hello_acks;
  // What the collector committed is done; the rest goes again, in order, as the agent's
  // spool does: the chain continues from the last report sent.
  unacked_.erase(unacked_.begin(), unacked_.upper_bound(committed));
  for (const auto& [seq, frame] : unacked_) send_frame(seq, frame);
  if (!snapshot_sent_ || ack.want_full_snapshot()) send_report(/*snapshot=*/true);
}

bool SimAgent::send_delta() {
  if (!ready_ || !connection_) return false;
  send_report(/*snapshot=*/false);
  return true;
}

void SimAgent::send_report(bool snapshot) {
  // Parsed once per loop thread; only seq and base_seq change from one report to the next.
  thread_local v1::AgentMessage snapshot_message, forward, back;
  thread_local bool parsed = false;
  if (!parsed) {
    snapshot_message.mutable_snapshot()->ParseFromString(workload_.snapshot_body);
    forward.mutable_delta()->ParseFromString(workload_.delta_forward);
    back.mutable_delta()->ParseFromString(workload_.delta_back);
    parsed = true;
  }
  v1::AgentMessage* message = &snapshot_message;
  if (!snapshot) {
    message = at_second_ ? &back : &forward;
    message->mutable_delta()->mutable_delta()->set_base_seq(last_seq_);
  }
  message->set_seq(next_seq_);
  at_second_ = !snapshot && !at_second_;
  snapshot_sent_ = true;
  auto seq = next_seq_++;
  last_seq_ = seq;
  auto frame = message->SerializeAsString();
  unacked_.emplace(seq, frame);
  send_frame(seq, std::move(frame));
}

void SimAgent::send_frame(std::uint64_t seq, std::string frame) {
  if (!connection_ || !connection_->send(std::move(frame))) return;
  if (sent_at_.insert_or_assign(seq, std::chrono::steady_clock::now()).second) ++stats_.unacked;
  ++stats_.sent;
}

void SimAgent::start_live(const v1::SignedLiveStart& start) {
  v1::LivePayload p;
  if (!p.ParseFromString(start.payload())) return;
  const bool fresh = p.live_session_id() != live_session_;
  live_session_ = p.live_session_id();
  live_ends_at_ms_ = p.ends_at_unix_ms();
  live_interval_ms_ = std::max<std::uint32_t>(p.interval_ms(), 100);
  if (!fresh) return;
  live_seq_ = 0;
  live_timer_.expires_after(std::chrono::milliseconds(live_interval_ms_));
  live_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) send_live_sample();
  });
}

void SimAgent::send_live_sample() {
  if (live_session_.empty() || !connection_ || !ready_) return;
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  v1::AgentMessage message;
  if (now_ms >= live_ends_at_ms_) {
    auto* end = message.mutable_live_ended();
    end->set_live_session_id(live_session_);
    end->set_reason("time is up");
    end->set_samples(live_seq_);
    live_session_.clear();
    connection_->send(protocol::encode(message));
    return;
  }
  auto* s = message.mutable_live_sample();
  s->set_live_session_id(live_session_);
  s->set_seq(++live_seq_);
  s->set_time_unix_ms(now_ms);
  s->set_cpu_percent(static_cast<float>(10 + live_seq_ % 40));
  s->set_memory_total_bytes(16ull << 30);
  s->set_memory_available_bytes((9ull << 30) + (live_seq_ % 7) * (64ull << 20));
  s->set_disk_read_bytes_per_s(123'456 * (live_seq_ % 5));
  s->set_disk_write_bytes_per_s(654'321);
  s->set_net_rx_bytes_per_s(2'000'000 + live_seq_);
  s->set_net_tx_bytes_per_s(300'000);
  s->set_agent_cpu_percent(0.4f);
  static const char* const kNames[] = {"chrome", "teams", "outlook", "Xorg", "onedrive"};
  for (int i = 0; i < 5; ++i) {
    auto* p = s->add_top_processes();
    p->set_pid(1000 + static_cast<std::uint32_t>(i));
    p->set_name(kNames[i]);
    p->set_cpu_percent(static_cast<float>(40 - i * 8));
    p->set_rss_bytes((500ull - static_cast<std::uint64_t>(i) * 80) << 20);
  }
  if (live_seq_ % 10 == 0) {
    auto* e = s->add_new_errors();
    e->set_time_unix_ms(now_ms);
    e->set_level("err");
    e->set_source("NetworkManager.service");
    e->set_identifier("NetworkManager");
    e->set_message("<error> [1733500000.1234] device (wlan0): Activation: failed for connection");
  }
  connection_->send(protocol::encode(message));
  live_timer_.expires_after(std::chrono::milliseconds(live_interval_ms_));
  live_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) send_live_sample();
  });
}

void SimAgent::on_close(std::string_view reason) {
  // "TLS handshake: stream truncated" and the like: the clause names the failure kind.
  auto kind = reason.substr(0, std::min<std::size_t>(reason.find(':', reason.find(':') + 1), 80));
  if (ready_) {
    ++stats_.disconnects;
    --stats_.connected;
    ++stats_.disconnect_reasons[std::string(kind)];
  } else {
    ++stats_.connect_failures;
    ++stats_.failure_reasons[std::string(kind)];
  }
  ready_ = false;
  live_session_.clear();
  live_timer_.cancel();
  // Unacknowledged reports stay in unacked_, to be resent after the next HelloAck.
  stats_.unacked -= static_cast<std::int64_t>(sent_at_.size());
  sent_at_.clear();
  connection_.reset();
  schedule_reconnect();
}

void SimAgent::schedule_reconnect() {
  if (stopping_) return;
  reconnect_timer_.expires_after(backoff_.next());
  reconnect_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) connect();
  });
}

}  // namespace triage::loadgen
