#include "bench/loadgen/sim_agent.hpp"

#include "shared/protocol/codec.hpp"
#include "shared/protocol/version.hpp"
#include "triage/v1/envelope.pb.h"

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
      reconnect_timer_(ioc) {}

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
  connection_ = transport::connect_websocket(ioc_, tls_, *this, options);
}

void SimAgent::close() {
  stopping_ = true;
  reconnect_timer_.cancel();
  if (connection_) connection_->close(transport::CloseCode::kGoingAway, "load test done");
}

void SimAgent::on_open(const std::shared_ptr<transport::WebSocketConnection>&) {
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
  if (message->has_hello_ack()) {
    if (message->hello_ack().last_committed_seq() >= next_seq_) {
      next_seq_ = message->hello_ack().last_committed_seq() + 1;
    }
    ready_ = true;
    backoff_.reset();
    ++stats_.connected;
    ++stats_.hello_acks;
    // A full snapshot starts the chain once; after a reconnection the deltas continue from
    // what the collector committed, as a real agent's spool would.
    last_seq_ = message->hello_ack().last_committed_seq();
    if (!snapshot_sent_ || last_seq_ == 0) {
      snapshot_sent_ = true;
      send_report(/*snapshot=*/true);
    }
    return;
  }
  if (message->has_ack()) {
    auto now = std::chrono::steady_clock::now();
    for (const auto& entry : message->ack().entries()) {
      auto it = sent_at_.find(entry.seq());
      if (it == sent_at_.end()) continue;
      stats_.ack_latency_ms.push_back(
          std::chrono::duration<double, std::milli>(now - it->second).count());
      sent_at_.erase(it);
      if (entry.status() == v1::Ack::STORED || entry.status() == v1::Ack::DUPLICATE) {
        ++stats_.acked;
        if (entry.status() == v1::Ack::DUPLICATE) ++stats_.duplicates;
        stats_.acked_reports.emplace_back(index_, entry.seq());
      }
    }
  }
}

bool SimAgent::send_delta() {
  if (!ready_ || !connection_) return false;
  send_report(/*snapshot=*/false);
  return true;
}

void SimAgent::send_report(bool snapshot) {
  // The body is serialized once per run; the envelope is concatenated by hand because
  // protobuf allows fields in any order: seq (field 1) then the report body field.
  v1::AgentMessage envelope;
  envelope.set_seq(next_seq_);
  std::string frame = envelope.SerializeAsString();
  if (snapshot) {
    v1::AgentMessage body;
    body.mutable_snapshot()->ParseFromString(workload_.snapshot_body);
    frame += body.SerializeAsString();
  } else {
    v1::AgentMessage body;
    body.mutable_delta()->ParseFromString(workload_.delta_body);
    body.mutable_delta()->mutable_delta()->set_base_seq(last_seq_);
    frame += body.SerializeAsString();
  }
  if (!connection_->send(std::move(frame))) return;
  sent_at_[next_seq_] = std::chrono::steady_clock::now();
  last_seq_ = next_seq_++;
  ++stats_.sent;
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
  // Unacknowledged reports die with the connection (a real agent keeps them in its spool).
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
