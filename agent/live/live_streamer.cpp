#include "agent/live/live_streamer.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include "agent/collectors/text.hpp"
#include "agent/live/live_sampler.hpp"
#include "agent/live/live_verifier.hpp"
#include "shared/pki/keys.hpp"
#include "shared/util/log_safe.hpp"

namespace triage::agent {

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// What the history keeps of a live view (verified fields only).
nlohmann::json describe(const v1::LivePayload& p) {
  return {{"kind", "live"},
          {"live_session_id", p.live_session_id()},
          {"action_id", "live view"},
          {"ticket_id", p.ticket_id()},
          {"requested_by", p.requested_by()}};
}

std::string minutes_left(const v1::LivePayload& p) {
  const auto ms = std::max<std::int64_t>(0, p.ends_at_unix_ms() - now_ms());
  return "for " + std::to_string((ms + 59'999) / 60'000) + " min";
}

}  // namespace

LiveStreamer::LiveStreamer(boost::asio::io_context& ioc, ActionJournal& journal,
                           LiveStreamerSettings settings, SendFn send)
    : ioc_(ioc), journal_(journal), settings_(std::move(settings)), send_(std::move(send)) {
  if (!settings_.pinned_key_pem.empty()) {
    auto key = pki::public_key_from_pem(settings_.pinned_key_pem);
    if (!key) throw std::runtime_error("pinned order-signing key: " + key.error().message);
    pinned_key_ = std::move(*key);
  }
}

LiveStreamer::~LiveStreamer() {
  std::optional<Stream> running;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    running = std::exchange(stream_, std::nullopt);
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
  // The I/O loop may be gone: the end is recorded here, not posted.
  if (running) {
    auto entry = describe(running->payload);
    entry["outcome"] = "ended";
    entry["reason"] = "agent stopping, " + std::to_string(running->samples) + " samples";
    journal_.record(entry);
  }
}

void LiveStreamer::handle(const v1::SignedLiveStart& start) {
  const SignedRequestChecks checks{pinned_key_.get(), settings_.device_id, now_ms(),
                                   settings_.clock_skew.count()};
  auto payload = verify_live_start(start, checks, settings_.policy);
  if (!payload) {
    auto claimed = signed_live_payload(start, checks);
    return refuse(claimed ? claimed->live_session_id().substr(0, 64) : "",
                  claimed ? &*claimed : nullptr, payload.error().message);
  }
  auto fresh = journal_.remember_nonce(payload->nonce(), payload->live_session_id(),
                                       payload->expires_at_unix_ms(), checks.now_unix_ms);
  if (!fresh) {
    return refuse(payload->live_session_id(), &*payload,
                  "cannot record the live view's nonce: " + fresh.error().message);
  }
  if (!*fresh) {
    return refuse(payload->live_session_id(), &*payload, "replayed live view: nonce seen before");
  }
  std::optional<Stream> replaced;
  bool extended = false;
  {
    std::lock_guard lock(mutex_);
    if (stream_ && stream_->payload.live_session_id() == payload->live_session_id()) {
      // Staff extended it: a later end, the same stream (its samples keep counting).
      stream_->payload.set_ends_at_unix_ms(payload->ends_at_unix_ms());
      extended = true;
    } else {
      replaced = std::exchange(stream_, Stream{*payload, 0, ++generation_});
    }
    if (!worker_.joinable()) worker_ = std::thread([this] { work(); });
  }
  wake_.notify_all();
  if (replaced) {
    boost::asio::post(ioc_, [this, old = *replaced, id = payload->live_session_id()] {
      ended(old, "replaced by live view " + id, false);
    });
  }
  auto entry = describe(*payload);
  entry["outcome"] = extended ? "extended" : "started";
  entry["target"] = minutes_left(*payload);
  journal_.record(entry);
  spdlog::info("live view {} {} by {} ({})", payload->live_session_id(),
               extended ? "extended" : "started", log_safe(payload->requested_by()),
               minutes_left(*payload));
}

void LiveStreamer::stop(const v1::LiveStop& stop) {
  std::optional<Stream> stopped;
  {
    std::lock_guard lock(mutex_);
    if (stream_ && stream_->payload.live_session_id() == stop.live_session_id()) {
      stopped = std::exchange(stream_, std::nullopt);
    }
  }
  if (!stopped) return;
  wake_.notify_all();
  // Posted, as the sampling thread posts its samples: the end arrives after the last of them.
  boost::asio::post(ioc_, [this, s = *stopped] { ended(s, "stopped by staff", false); });
}

void LiveStreamer::connection_lost() {
  std::optional<Stream> lost;
  {
    std::lock_guard lock(mutex_);
    lost = std::exchange(stream_, std::nullopt);
  }
  if (!lost) return;
  wake_.notify_all();
  ended(*lost, "connection lost", true);
}

void LiveStreamer::refuse(const std::string& id, const v1::LivePayload* payload,
                          const std::string& reason) {
  spdlog::warn("live view {} refused: {}", id.empty() ? "(unreadable)" : log_safe(id),
               log_safe(reason, 1024));
  nlohmann::json entry =
      payload
          ? describe(*payload)
          : nlohmann::json{{"kind", "live"}, {"live_session_id", id}, {"action_id", "live view"}};
  entry["outcome"] = "refused";
  entry["reason"] = reason;
  journal_.record(entry);
  if (id.empty()) return;  // nothing to address an answer to
  v1::AgentMessage message;
  auto* end = message.mutable_live_ended();
  end->set_live_session_id(id);
  end->set_reason("refused: " + reason);
  end->set_refused(true);
  send_(std::move(message));
}

void LiveStreamer::ended(const Stream& stream, const std::string& reason, bool silent) {
  auto entry = describe(stream.payload);
  entry["outcome"] = "ended";
  entry["reason"] = reason + ", " + std::to_string(stream.samples) + " samples";
  journal_.record(entry);
  spdlog::info("live view {} ended: {} ({} samples)", stream.payload.live_session_id(), reason,
               stream.samples);
  if (silent) return;
  v1::AgentMessage message;
  auto* end = message.mutable_live_ended();
  end->set_live_session_id(stream.payload.live_session_id());
  end->set_reason(reason);
  end->set_samples(stream.samples);
  send_(std::move(message));
}

void LiveStreamer::work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || stream_.has_value(); });
    if (stopping_) return;
    const auto generation = stream_->generation;
    const auto interval = std::chrono::milliseconds(stream_->payload.interval_ms());
    auto current = [&] { return !stopping_ && stream_ && stream_->generation == generation; };

    lock.unlock();
    auto sampler = make_live_sampler(settings_.sysroot);  // its baseline: a first reading
    lock.lock();
    if (!sampler) {
      if (current()) {
        auto s = *std::exchange(stream_, std::nullopt);
        const auto reason = sampler.error().message;
        boost::asio::post(ioc_, [this, s, reason] {
          v1::AgentMessage message;
          auto* end = message.mutable_live_ended();
          end->set_live_session_id(s.payload.live_session_id());
          end->set_reason("refused: " + reason);
          end->set_refused(true);
          auto entry = describe(s.payload);
          entry["outcome"] = "refused";
          entry["reason"] = reason;
          journal_.record(entry);
          send_(std::move(message));
        });
      }
      continue;
    }

    auto next = std::chrono::steady_clock::now() + interval;
    while (current()) {
      if (wake_.wait_until(lock, next, [&] { return !current(); })) break;
      if (now_ms() >= stream_->payload.ends_at_unix_ms()) {
        auto s = *std::exchange(stream_, std::nullopt);
        boost::asio::post(ioc_, [this, s] { ended(s, "time is up", false); });
        break;
      }
      v1::AgentMessage message;
      auto* sample = message.mutable_live_sample();
      sample->set_live_session_id(stream_->payload.live_session_id());
      const auto seq = stream_->samples + 1;
      lock.unlock();
      (*sampler)->sample(*sample);
      sample->set_seq(seq);
      sample->set_time_unix_ms(now_ms());
      // Process names and journal text may be any bytes: valid UTF-8 only on the wire.
      sanitize_strings(message, kLiveErrorLineBytes);
      lock.lock();
      if (!current()) break;  // stopped while sampling: the stop's end was already posted
      stream_->samples = seq;
      boost::asio::post(ioc_, [this, m = std::move(message)]() mutable { send_(std::move(m)); });
      const auto now = std::chrono::steady_clock::now();
      next += interval;
      if (next < now) next = now + interval;  // fell behind (a suspended laptop): no burst
    }
  }
}

}  // namespace triage::agent
