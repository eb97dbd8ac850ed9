#include "collector/live/live_service.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "collector/live/live_sample_json.hpp"
#include "collector/storage/time_ms.hpp"
#include "shared/pki/secrets.hpp"
#include "shared/protocol/signed_messages.hpp"
#include "shared/util/log_levels.hpp"
#include "shared/util/time_format.hpp"

namespace triage::collector {

using time_ms::to_ms;

namespace {

constexpr std::size_t kNonceBytes = 32;

TimePoint to_millis(TimePoint t) {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(t);
}

std::string state_of(const LiveSession& s, TimePoint now) {
  if (s.ended_at || s.ends_at <= now) return "ended";
  return s.samples == 0 ? "starting" : "live";
}

}  // namespace

nlohmann::json live_session_json(const LiveSession& s, TimePoint now) {
  std::string reason = s.end_reason;
  if (!s.ended_at && s.ends_at <= now) reason = "time is up";
  return {{"id", s.id},
          {"device_id", s.device_id},
          {"ticket_id", s.ticket_id ? nlohmann::json(*s.ticket_id) : nullptr},
          {"started_by", s.started_by},
          {"started_at", format_rfc3339(s.started_at)},
          {"ends_at", format_rfc3339(s.ends_at)},
          {"ended_at", s.ended_at ? nlohmann::json(format_rfc3339(*s.ended_at)) : nullptr},
          {"end_reason", reason},
          {"state", state_of(s, now)},
          {"samples", s.samples}};
}

LiveService::LiveService(Store& store, AgentChannel& agents, AuditLog& audit, EVP_PKEY* signing_key,
                         std::string key_id, LiveSettings settings, OutboxPlanner* outbox)
    : store_(store),
      agents_(agents),
      audit_(audit),
      signing_key_(signing_key),
      key_id_(std::move(key_id)),
      settings_(settings),
      outbox_(outbox) {}

Result<LiveOpened> LiveService::open(const LiveRequest& request, const User& user, TimePoint now) {
  now = to_millis(now);
  if (user.role == Role::kViewer && !settings_.viewers_may_watch) {
    return fail(ErrorCode::kDenied,
                "a live view needs the technician role (this collector does not let viewers "
                "open one)");
  }
  const auto step = static_cast<std::uint32_t>(settings_.step.count());
  if (request.minutes < 1 || request.minutes > step) {
    return fail(ErrorCode::kInvalid, "minutes: 1 to " + std::to_string(step));
  }
  auto device = store_.read().devices().find_device(request.device_id);
  if (!device) return tl::unexpected(device.error());
  if (!*device) return fail(ErrorCode::kNotFound, "no device " + request.device_id.substr(0, 64));
  if ((*device)->revoked_at) {
    return fail(ErrorCode::kConflict, "device " + request.device_id + " is revoked");
  }
  if (!agents_.is_online(request.device_id)) {
    return fail(ErrorCode::kConflict, "device " + request.device_id +
                                          " is offline; a live view needs a connected device");
  }
  std::lock_guard lock(open_mutex_);
  auto running = store_.read().live().running_live_session(request.device_id, now);
  if (!running) return tl::unexpected(running.error());
  if (*running) return LiveOpened{**running, true};
  auto count = store_.read().live().count_running_live_sessions(now);
  if (!count) return tl::unexpected(count.error());
  if (*count >= settings_.max_sessions) {
    return fail(ErrorCode::kUnavailable,
                std::to_string(settings_.max_sessions) +
                    " live views are running, the most this collector serves at once; retry "
                    "when one ends");
  }

  LiveSession session;
  session.id = "l-" + pki::to_hex(pki::random_bytes(12));
  session.device_id = request.device_id;
  session.ticket_id = request.ticket_id;
  session.started_by = user.name;
  session.started_at = now;
  session.ends_at = now + std::chrono::minutes(request.minutes);
  auto recorded = audit_.record_with([&](WriteTx& tx) -> Result<AuditEvent> {
    if (session.ticket_id) {
      auto ticket = tx.tickets().find_ticket(*session.ticket_id);
      if (!ticket) return tl::unexpected(ticket.error());
      if (!*ticket)
        return fail(ErrorCode::kNotFound, "no ticket " + std::to_string(*session.ticket_id));
      const auto& ids = (*ticket)->device_ids;
      if (std::find(ids.begin(), ids.end(), session.device_id) == ids.end()) {
        return fail(ErrorCode::kConflict, "device " + session.device_id +
                                              " is not linked to ticket " +
                                              std::to_string(*session.ticket_id));
      }
    }
    if (auto r = tx.live().insert_live_session(session); !r) return tl::unexpected(r.error());
    if (session.ticket_id) {
      TicketEvent e;
      e.ticket_id = *session.ticket_id;
      e.at = now;
      e.actor = user.name;
      e.kind = "live_opened";
      e.visibility = Visibility::kInternal;
      e.data = {{"live_session_id", session.id},
                {"device_id", session.device_id},
                {"minutes", request.minutes}};
      std::vector<TicketEvent> events{std::move(e)};
      if (auto r = tx.tickets().append_ticket_events(events); !r) return tl::unexpected(r.error());
      if (auto r = plan_outbox(outbox_, tx, events); !r) return tl::unexpected(r.error());
    }
    AuditEvent event;
    event.at = now;
    event.actor = user.name;
    event.actor_kind = AuditActorKind::kUser;
    event.source = request.source;
    event.type = "live.opened";
    event.target = "live:" + session.id;
    event.details = {{"device_id", session.device_id}, {"ends_at_ms", to_ms(session.ends_at)}};
    if (session.ticket_id) event.details["ticket_id"] = *session.ticket_id;
    return event;
  });
  if (!recorded) return tl::unexpected(recorded.error());
  if (auto r = send_start(session, now); !r) return tl::unexpected(r.error());
  return LiveOpened{session, false};
}

Result<void> LiveService::send_start(const LiveSession& session, TimePoint now) {
  v1::LivePayload p;
  p.set_live_session_id(session.id);
  p.set_device_id(session.device_id);
  p.set_ends_at_unix_ms(to_ms(session.ends_at));
  p.set_interval_ms(settings_.interval_ms);
  p.set_ticket_id(session.ticket_id ? std::to_string(*session.ticket_id) : "");
  p.set_requested_by(session.started_by);
  p.set_issued_at_unix_ms(to_ms(now));
  p.set_expires_at_unix_ms(to_ms(now + settings_.start_ttl));
  p.set_nonce(pki::random_bytes(kNonceBytes));
  auto signed_start = protocol::sign_live_start(signing_key_, key_id_, p);
  if (!signed_start) return tl::unexpected(signed_start.error());
  v1::CollectorMessage message;
  *message.mutable_live_start() = std::move(*signed_start);
  if (agents_.send(session.device_id, message) != Delivery::kQueued) {
    logs::orders().warn("live view {}: device {} went away before the start was sent", session.id,
                        session.device_id);
  } else {
    logs::orders().info("live view {}: start sent to device {} (until {})", session.id,
                        session.device_id, format_rfc3339(session.ends_at));
  }
  return {};
}

Result<LiveSession> LiveService::extend(const std::string& id, std::uint32_t minutes,
                                        const User& user, const std::string& source,
                                        TimePoint now) {
  now = to_millis(now);
  if (user.role == Role::kViewer && !settings_.viewers_may_watch) {
    return fail(ErrorCode::kDenied, "extending a live view needs the technician role");
  }
  const auto step = static_cast<std::uint32_t>(settings_.step.count());
  if (minutes < 1 || minutes > step) {
    return fail(ErrorCode::kInvalid, "minutes: 1 to " + std::to_string(step));
  }
  auto session = get(id);
  if (!session) return tl::unexpected(session.error());
  if (session->ended_at || session->ends_at <= now) {
    return fail(ErrorCode::kConflict, "live view " + id + " has ended; open a new one");
  }
  const auto latest = session->started_at + settings_.max_length;
  const auto ends_at = std::min(now + std::chrono::minutes(minutes), latest);
  if (ends_at <= session->ends_at) {
    return fail(ErrorCode::kConflict,
                "live view " + id + " already runs until " + format_rfc3339(session->ends_at) +
                    " (a live view lasts at most " + std::to_string(settings_.max_length.count()) +
                    " minutes)");
  }
  auto recorded = audit_.record_with([&](WriteTx& tx) -> Result<AuditEvent> {
    auto moved = tx.live().extend_live_session(id, ends_at);
    if (!moved) return tl::unexpected(moved.error());
    if (!*moved) return fail(ErrorCode::kConflict, "live view " + id + " has ended");
    AuditEvent event;
    event.at = now;
    event.actor = user.name;
    event.actor_kind = AuditActorKind::kUser;
    event.source = source;
    event.type = "live.extended";
    event.target = "live:" + id;
    event.details = {{"device_id", session->device_id}, {"ends_at_ms", to_ms(ends_at)}};
    return event;
  });
  if (!recorded) return tl::unexpected(recorded.error());
  session->ends_at = ends_at;
  if (auto r = send_start(*session, now); !r) return tl::unexpected(r.error());
  return *session;
}

Result<LiveSession> LiveService::stop(const std::string& id, const User& user,
                                      const std::string& source, TimePoint now) {
  now = to_millis(now);
  auto session = get(id);
  if (!session) return tl::unexpected(session.error());
  if (user.role == Role::kViewer && !settings_.viewers_may_watch) {
    return fail(ErrorCode::kDenied, "stopping a live view needs the technician role");
  }
  auto ended = end_session(*session, user.name, false, "stopped by " + user.name, source, now);
  if (!ended) return tl::unexpected(ended.error());
  if (!*ended) return fail(ErrorCode::kConflict, "live view " + id + " has ended already");
  v1::CollectorMessage message;
  message.mutable_live_stop()->set_live_session_id(id);
  (void)agents_.send(session->device_id, message);
  return get(id);
}

Result<bool> LiveService::end_session(const LiveSession& session, const std::string& actor,
                                      bool actor_is_device, const std::string& reason,
                                      const std::string& source, TimePoint now) {
  bool ended = false;
  auto recorded = audit_.record_with([&](WriteTx& tx) -> Result<AuditEvent> {
    auto r = tx.live().end_live_session(session.id, now, reason);
    if (!r) return tl::unexpected(r.error());
    if (!*r) return fail(ErrorCode::kConflict, "ended already");
    ended = true;
    auto stored = tx.live().find_live_session(session.id);
    const std::uint32_t samples = stored && *stored ? (*stored)->samples : session.samples;
    if (session.ticket_id) {
      TicketEvent e;
      e.ticket_id = *session.ticket_id;
      e.at = now;
      e.actor = actor;
      e.kind = "live_ended";
      e.visibility = Visibility::kInternal;
      e.data = {{"live_session_id", session.id},
                {"device_id", session.device_id},
                {"started_by", session.started_by},
                {"reason", reason},
                {"samples", samples},
                {"seconds", std::chrono::duration_cast<std::chrono::seconds>(
                                std::min(now, session.ends_at) - session.started_at)
                                .count()}};
      std::vector<TicketEvent> events{std::move(e)};
      if (auto a = tx.tickets().append_ticket_events(events); !a) return tl::unexpected(a.error());
      if (auto a = plan_outbox(outbox_, tx, events); !a) return tl::unexpected(a.error());
    }
    AuditEvent event;
    event.at = now;
    event.actor = actor;
    event.actor_kind = actor_is_device ? AuditActorKind::kDevice : AuditActorKind::kUser;
    event.source = source;
    event.type = "live.ended";
    event.target = "live:" + session.id;
    event.details = {{"device_id", session.device_id}, {"reason", reason}, {"samples", samples}};
    return event;
  });
  if (!recorded) {
    if (!ended && recorded.error().code == ErrorCode::kConflict) return false;
    return tl::unexpected(recorded.error());
  }
  return true;
}

Result<LiveSession> LiveService::get(const std::string& id) {
  auto session = store_.read().live().find_live_session(id);
  if (!session) return tl::unexpected(session.error());
  if (!*session) return fail(ErrorCode::kNotFound, "no live view " + id.substr(0, 64));
  return **session;
}

Result<std::vector<nlohmann::json>> LiveService::samples(const std::string& id,
                                                         std::uint32_t after_seq, int limit) {
  auto rows = store_.read().live().live_samples_after(id, after_seq, limit);
  if (!rows) return tl::unexpected(rows.error());
  std::vector<nlohmann::json> out;
  out.reserve(rows->size());
  for (const auto& row : *rows) {
    auto sample = nlohmann::json::parse(row.sample_json, nullptr, false);
    if (!sample.is_discarded()) out.push_back(std::move(sample));
  }
  return out;
}

Result<std::vector<LiveSession>> LiveService::ticket_sessions(std::int64_t ticket_id) {
  return store_.read().live().ticket_live_sessions(ticket_id);
}

bool LiveService::accept_sample(const std::string& device_id, const v1::LiveSample& sample) {
  if (sample.live_session_id().empty() || sample.live_session_id().size() > 64 ||
      sample.seq() == 0) {
    return false;
  }
  Pending pending;
  pending.device_id = device_id;
  pending.row.session_id = sample.live_session_id();
  pending.row.seq = sample.seq();
  pending.row.at = std::chrono::system_clock::now();
  pending.row.sample_json =
      live_sample_json(sample).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::lock_guard lock(pending_mutex_);
  if (pending_.size() >= kMaxPendingSamples) return false;
  pending_.push_back(std::move(pending));
  return pending_.size() == 1;
}

Result<std::size_t> LiveService::flush() {
  std::vector<Pending> batch;
  {
    std::lock_guard lock(pending_mutex_);
    batch.swap(pending_);
  }
  if (batch.empty()) return std::size_t{0};
  const auto now = std::chrono::system_clock::now();
  return store_.write([&](WriteTx& tx) -> Result<std::size_t> {
    // Each (session, sender) once: the session must be the sending device's and still running (a
    // sample of a stopped session, or claiming another device's, is dropped).
    std::map<std::pair<std::string, std::string>, bool> accepted;
    std::vector<LiveSampleRow> rows;
    for (auto& p : batch) {
      auto [it, fresh] = accepted.try_emplace({p.row.session_id, p.device_id}, false);
      if (fresh) {
        auto session = tx.live().find_live_session(p.row.session_id);
        if (!session) return tl::unexpected(session.error());
        it->second = *session && (*session)->device_id == p.device_id && !(*session)->ended_at &&
                     (*session)->ends_at + std::chrono::seconds(5) > now;
      }
      if (it->second) rows.push_back(std::move(p.row));
    }
    if (rows.empty()) return std::size_t{0};
    return tx.live().append_live_samples(rows);
  });
}

Result<void> LiveService::record_ended(const std::string& device_id, const v1::LiveEnded& ended,
                                       TimePoint now) {
  now = to_millis(now);
  auto session = store_.read().live().find_live_session(ended.live_session_id().substr(0, 64));
  if (!session) return tl::unexpected(session.error());
  if (!*session || (*session)->device_id != device_id) {
    logs::orders().warn("device {}: end of unknown live view {} ignored", device_id,
                        ended.live_session_id().substr(0, 64));
    return {};
  }
  if ((*session)->ended_at) return {};
  std::string reason = ended.reason().substr(0, 300);
  for (char& c : reason) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  if (reason.empty()) reason = "ended by the agent";
  auto r = end_session(**session, device_id, true, reason, "", now);
  if (!r) return tl::unexpected(r.error());
  return {};
}

Result<void> LiveService::device_disconnected(const std::string& device_id, TimePoint now) {
  now = to_millis(now);
  auto running = store_.read().live().running_live_session(device_id, now);
  if (!running) return tl::unexpected(running.error());
  if (!*running) return {};
  auto r = end_session(**running, device_id, true, "the device disconnected", "", now);
  if (!r) return tl::unexpected(r.error());
  return {};
}

}  // namespace triage::collector
