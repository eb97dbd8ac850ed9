#include "agent/actions/order_runner.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include "agent/actions/user_notice.hpp"
#include "agent/collectors/agent_platform.hpp"
#include "shared/pki/keys.hpp"
#include "shared/util/log_safe.hpp"

namespace triage::agent {

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// What the history keeps of an order (verified fields only).
nlohmann::json describe(const v1::OrderPayload& p) {
  return {{"order_id", p.order_id()},
          {"action_id", p.action_id()},
          {"argv", nlohmann::json(std::vector<std::string>(p.argv().begin(), p.argv().end()))},
          {"ticket_id", p.ticket_id()},
          {"requested_by", p.requested_by()},
          {"approved_by", p.approved_by()},
          {"risk", v1::Risk_Name(p.risk())}};
}

std::string outcome_name(v1::OrderState state) {
  switch (state) {
    case v1::SUCCEEDED:
      return "succeeded";
    case v1::CANCELLED:
      return "cancelled";
    default:
      return "failed";
  }
}

/// Cancel reasons come from staff through the collector: kept short and printable.
std::string printable(std::string_view text, std::size_t max) {
  std::string out;
  for (char c : text.substr(0, max)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return out;
}

}  // namespace

OrderRunner::OrderRunner(boost::asio::io_context& ioc, ActionJournal& journal,
                         OrderRunnerSettings settings, SendFn send_now, SendFn send_reliably)
    : ioc_(ioc),
      journal_(journal),
      settings_(std::move(settings)),
      send_now_(std::move(send_now)),
      send_reliably_(std::move(send_reliably)) {
  if (!settings_.pinned_key_pem.empty()) {
    auto key = pki::public_key_from_pem(settings_.pinned_key_pem);
    if (!key) throw std::runtime_error("pinned order-signing key: " + key.error().message);
    pinned_key_ = std::move(*key);
  }
  worker_ = std::thread([this] { work(); });
}

OrderRunner::~OrderRunner() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void OrderRunner::accept_catalog(const v1::SignedCatalog& catalog) {
  auto accepted =
      verify_catalog(catalog, pinned_key_.get(), catalog_ ? catalog_->issued_at_unix_ms : 0);
  if (!accepted) {
    spdlog::warn("action catalog ignored: {}", accepted.error().message);
    return;
  }
  spdlog::info("signed action catalog: {} actions", accepted->entries.size());
  catalog_ = std::move(*accepted);
}

void OrderRunner::handle(const v1::SignedOrder& order) {
  OrderChecks checks;
  checks.pinned_key = pinned_key_.get();
  checks.device_id = settings_.device_id;
  checks.now_unix_ms = now_ms();
  checks.clock_skew_ms = settings_.clock_skew.count();
  checks.catalog = catalog_ ? &*catalog_ : nullptr;
  checks.policy = &settings_.policy;
  checks.platform = agent_platform();
  auto payload = verify_order(order, checks);
  if (!payload) {
    // A signed order is recorded with what it asked to run (a forged argv is evidence).
    auto claimed = signed_payload(order, pinned_key_.get());
    return refuse(claimed_order_id(order), claimed ? &*claimed : nullptr, payload.error().message);
  }
  auto fresh = journal_.remember_nonce(payload->nonce(), payload->order_id(),
                                       payload->expires_at_unix_ms(), checks.now_unix_ms);
  if (!fresh) {
    return refuse(payload->order_id(), &*payload,
                  "cannot record the order's nonce: " + fresh.error().message);
  }
  if (!*fresh) return refuse(payload->order_id(), &*payload, "replayed order: nonce seen before");
  bool queued = false;
  std::size_t ahead = 0;
  {
    std::lock_guard lock(mutex_);
    ahead = waiting_.size() + (running_ ? 1 : 0);
    if (waiting_.size() < settings_.max_waiting) {
      waiting_.push_back(*payload);
      queued = true;
    }
  }
  if (queued) {
    wake_.notify_one();
    spdlog::info("order {}: {} accepted ({} ahead of it)", payload->order_id(),
                 payload->action_id(), ahead);
    return;
  }
  refuse(payload->order_id(), &*payload, "agent busy: too many orders waiting");
}

void OrderRunner::cancel(const v1::OrderCancel& cancel) {
  const std::string& id = cancel.order_id();
  if (id.empty()) return;
  const std::string reason = printable(cancel.reason(), 300);
  std::optional<v1::OrderPayload> dropped;
  bool running = false;
  {
    std::lock_guard lock(mutex_);
    for (auto it = waiting_.begin(); it != waiting_.end(); ++it) {
      if (it->order_id() == id) {
        dropped = std::move(*it);
        waiting_.erase(it);
        break;
      }
    }
    if (!dropped && current_id_ == id) {
      running = cancel_.raise();
    }
  }
  if (dropped) {
    spdlog::info("order {}: cancelled before it started ({})", id, reason);
    return report_dropped(*dropped,
                          "cancelled before it started" + (reason.empty() ? "" : ": " + reason));
  }
  if (running) {
    spdlog::info("order {}: cancelling the running action ({})", id, reason);
    return;
  }
  // Finished already (its result is in the spool) or never accepted here.
  spdlog::info("order {}: cancel ignored, not waiting or running here", printable(id, 64));
}

void OrderRunner::report_dropped(const v1::OrderPayload& order, const std::string& reason) {
  v1::OrderResult result;
  result.set_order_id(order.order_id());
  result.set_state(v1::CANCELLED);
  result.set_exit_code(-1);
  result.set_reason(reason);
  finish(order, std::move(result));
}

void OrderRunner::refuse(const std::string& order_id, const v1::OrderPayload* payload,
                         const std::string& reason) {
  spdlog::warn("order {} refused: {}", order_id.empty() ? "(unreadable)" : log_safe(order_id),
               log_safe(reason, 1024));
  nlohmann::json entry = payload ? describe(*payload) : nlohmann::json{{"order_id", order_id}};
  entry["outcome"] = "refused";
  entry["reason"] = reason;
  v1::AgentMessage message;
  auto* result = message.mutable_order_result();
  result->set_history_head_sha256(journal_.record(entry));
  if (order_id.empty()) return;  // nothing to address a report to
  result->set_order_id(order_id);
  result->set_state(v1::REFUSED);
  result->set_reason(reason);
  send_reliably_(std::move(message));
}

void OrderRunner::work() {
  for (;;) {
    v1::OrderPayload order;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !waiting_.empty(); });
      if (stopping_) return;
      order = std::move(waiting_.front());
      waiting_.pop_front();
      running_ = true;
      // A cancel meant for an order that ended meanwhile must not hit this one.
      cancel_.clear();
      current_id_ = order.order_id();
    }
    boost::asio::post(ioc_, [this, id = order.order_id()] {
      v1::AgentMessage update;
      update.mutable_order_update()->set_order_id(id);
      update.mutable_order_update()->set_state(v1::RUNNING);
      send_now_(std::move(update));
    });
    std::uint32_t chunk_index = 0;
    auto stream_output = [&](OutputStream stream, std::string_view data) {
      v1::AgentMessage message;
      auto* out = message.mutable_order_output();
      out->set_order_id(order.order_id());
      out->set_chunk_index(chunk_index++);
      out->set_stream(stream == OutputStream::kStderr ? v1::OrderOutput::STDERR
                                                      : v1::OrderOutput::STDOUT);
      out->set_data(std::string(data));
      boost::asio::post(
          ioc_, [this, message = std::move(message)]() mutable { send_now_(std::move(message)); });
    };
    v1::OrderResult result;
    try {
      if (!notice_users(order, stream_output)) {
        result.set_order_id(order.order_id());
        result.set_state(v1::CANCELLED);
        result.set_exit_code(-1);
        result.set_reason("cancelled during the notice to logged-in users, before it started");
      } else {
        auto options = settings_.executor;
        options.cancel_fd = cancel_.run_request_fd();
        result = execute_order(order, stream_output, options);
      }
    } catch (const std::exception& e) {
      // The one catch boundary of an action run: report, carry on.
      result.set_order_id(order.order_id());
      result.set_state(v1::FAILED);
      result.set_reason(std::string("agent error: ") + e.what());
    }
    boost::asio::post(ioc_, [this, order = std::move(order), result = std::move(result)]() mutable {
      finish(order, std::move(result));
    });
    std::lock_guard lock(mutex_);
    running_ = false;
    current_id_.clear();
  }
}

bool OrderRunner::notice_users(const v1::OrderPayload& order, const OutputCallback& output) {
  const auto& notice = settings_.policy.notice;
  if (!notice.enabled || order.risk() < v1::RISK_MEDIUM) return true;
  const auto sessions = send_user_notice(notice, notice_text(order, notice.delay));
  const auto line = "triage-agent: notice sent to " + std::to_string(sessions) +
                    " terminal session(s); waiting " + std::to_string(notice.delay.count()) +
                    " s before running\n";
  spdlog::info("order {}: notice sent to {} terminal session(s), waiting {} s", order.order_id(),
               sessions, notice.delay.count());
  output(OutputStream::kStderr, line);
  // The wait ends early only for a cancellation of this order.
  return !cancel_.wait_for(notice.delay);
}

void OrderRunner::finish(const v1::OrderPayload& order, v1::OrderResult result) {
  nlohmann::json entry = describe(order);
  entry["outcome"] = outcome_name(result.state());
  entry["exit_code"] = result.exit_code();
  entry["term_signal"] = result.term_signal();
  entry["timed_out"] = result.timed_out();
  entry["duration_ms"] = result.duration_ms();
  if (!result.reason().empty()) entry["reason"] = result.reason();
  if (result.post_check().ran()) entry["post_check_passed"] = result.post_check().passed();
  result.set_history_head_sha256(journal_.record(entry));
  spdlog::info("order {}: {} ({} ms)", order.order_id(), v1::OrderState_Name(result.state()),
               result.duration_ms());
  v1::AgentMessage message;
  *message.mutable_order_result() = std::move(result);
  send_reliably_(std::move(message));
}

}  // namespace triage::agent
