#include "agent/probes/probe_runner.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include "agent/collectors/text.hpp"
#include "agent/probes/probe_catalog.hpp"
#include "agent/probes/probe_verifier.hpp"
#include "shared/pki/keys.hpp"
#include "shared/probes/probe_params.hpp"
#include "shared/util/log_safe.hpp"

namespace triage::agent {

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// What the history keeps of a probe (verified fields only).
nlohmann::json describe(const v1::ProbePayload& p) {
  return {{"kind", "probe"},
          {"probe_run_id", p.probe_run_id()},
          {"action_id", "probe:" + p.probe()},
          {"target", probes::probe_target(p)},
          {"ticket_id", p.ticket_id()},
          {"requested_by", p.requested_by()}};
}

}  // namespace

v1::ProbeResult run_probe(const v1::ProbePayload& request, const ProbeEnvironment& env) {
  const auto start = ProbeBudget::Clock::now();
  ProbeBudget budget(std::chrono::milliseconds(request.time_budget_ms()),
                     request.output_budget_bytes());
  v1::ProbeResult result;
  const auto fn = find_probe(request.probe());
  if (fn == nullptr) {
    result.set_status(v1::PROBE_FAILED);
    result.set_reason("this agent has no probe " + request.probe());
  } else {
    try {
      fn(request, budget, env, result);
      // Text from the machine (journal messages, process names, certificate subjects) may be
      // any bytes: valid UTF-8 without control characters, or the answer cannot be parsed.
      sanitize_strings(result);
      result.set_status(v1::PROBE_COMPLETED);
    } catch (const std::exception& e) {
      // The one catch boundary of a probe run: report, carry on.
      result.Clear();
      result.set_status(v1::PROBE_FAILED);
      result.set_reason(std::string("agent error: ") + e.what());
    }
  }
  if (result.ByteSizeLong() > budget.output_bytes()) {
    const auto size = result.ByteSizeLong();
    result.clear_result();
    budget.cut("the result (" + std::to_string(size) + " bytes) was over the output budget of " +
               std::to_string(budget.output_bytes()) + " bytes and was left out");
  }
  result.set_probe_run_id(request.probe_run_id());
  result.set_budget_exceeded(budget.exceeded());
  result.set_budget_note(budget.note());
  result.set_duration_ms(elapsed_ms(start));
  return result;
}

ProbeRunner::ProbeRunner(boost::asio::io_context& ioc, ActionJournal& journal,
                         ProbeRunnerSettings settings, SendFn send)
    : ioc_(ioc),
      journal_(journal),
      settings_(std::move(settings)),
      send_(std::move(send)),
      rate_(std::max<double>(settings_.policy.per_minute, 1) / 60.0,
            std::max<double>(settings_.policy.per_minute, 1)) {
  if (!settings_.pinned_key_pem.empty()) {
    auto key = pki::public_key_from_pem(settings_.pinned_key_pem);
    if (!key) throw std::runtime_error("pinned order-signing key: " + key.error().message);
    pinned_key_ = std::move(*key);
  }
  worker_ = std::thread([this] { work(); });
}

ProbeRunner::~ProbeRunner() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void ProbeRunner::handle(const v1::SignedProbe& probe) {
  const SignedRequestChecks checks{pinned_key_.get(), settings_.device_id, now_ms(),
                                   settings_.clock_skew.count()};
  auto payload = verify_probe(probe, checks, settings_.policy);
  if (!payload) {
    auto claimed = signed_probe_payload(probe, checks);
    return refuse(claimed ? claimed->probe_run_id().substr(0, 64) : "",
                  claimed ? &*claimed : nullptr, payload.error().message);
  }
  auto fresh = journal_.remember_nonce(payload->nonce(), payload->probe_run_id(),
                                       payload->expires_at_unix_ms(), checks.now_unix_ms);
  if (!fresh) {
    return refuse(payload->probe_run_id(), &*payload,
                  "cannot record the probe's nonce: " + fresh.error().message);
  }
  if (!*fresh)
    return refuse(payload->probe_run_id(), &*payload, "replayed probe: nonce seen before");
  if (rate_.take().count() > 0) {
    return refuse(payload->probe_run_id(), &*payload,
                  "rate bound: this endpoint runs at most " +
                      std::to_string(settings_.policy.per_minute) + " probes a minute");
  }
  bool queued = false;
  {
    std::lock_guard lock(mutex_);
    if (waiting_.size() < settings_.max_waiting) {
      waiting_.push_back(*payload);
      queued = true;
    }
  }
  if (!queued)
    return refuse(payload->probe_run_id(), &*payload, "agent busy: too many probes waiting");
  wake_.notify_one();
  spdlog::info("probe {}: {} {} accepted", payload->probe_run_id(), payload->probe(),
               log_safe(probes::probe_target(*payload)));
}

void ProbeRunner::refuse(const std::string& id, const v1::ProbePayload* payload,
                         const std::string& reason) {
  spdlog::warn("probe {} refused: {}", id.empty() ? "(unreadable)" : log_safe(id),
               log_safe(reason, 1024));
  nlohmann::json entry =
      payload ? describe(*payload) : nlohmann::json{{"kind", "probe"}, {"probe_run_id", id}};
  entry["outcome"] = "refused";
  entry["reason"] = reason;
  v1::AgentMessage message;
  auto* result = message.mutable_probe_result();
  result->set_history_head_sha256(journal_.record(entry));
  if (id.empty()) return;  // nothing to address an answer to
  result->set_probe_run_id(id);
  result->set_status(v1::PROBE_REFUSED);
  result->set_reason(reason);
  send_(std::move(message));
}

void ProbeRunner::work() {
  for (;;) {
    v1::ProbePayload request;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !waiting_.empty(); });
      if (stopping_) return;
      request = std::move(waiting_.front());
      waiting_.pop_front();
    }
    auto result = run_probe(request, settings_.env);
    boost::asio::post(ioc_,
                      [this, request = std::move(request), result = std::move(result)]() mutable {
                        finish(request, std::move(result));
                      });
  }
}

void ProbeRunner::finish(const v1::ProbePayload& request, v1::ProbeResult result) {
  nlohmann::json entry = describe(request);
  entry["outcome"] = probes::probe_status_name(result.status());
  entry["duration_ms"] = result.duration_ms();
  if (!result.reason().empty()) entry["reason"] = result.reason();
  if (result.budget_exceeded()) entry["budget_note"] = result.budget_note();
  result.set_history_head_sha256(journal_.record(entry));
  spdlog::info("probe {}: {} {} ({} ms{})", request.probe_run_id(), request.probe(),
               probes::probe_status_name(result.status()), result.duration_ms(),
               result.budget_exceeded() ? ", cut: " + result.budget_note() : "");
  v1::AgentMessage message;
  *message.mutable_probe_result() = std::move(result);
  send_(std::move(message));
}

}  // namespace triage::agent
