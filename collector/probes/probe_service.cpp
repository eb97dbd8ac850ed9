#include "collector/probes/probe_service.hpp"

#include <algorithm>
#include <string_view>

#include <google/protobuf/util/json_util.h>

#include "collector/probes/probe_params_json.hpp"
#include "collector/storage/time_ms.hpp"
#include "shared/pki/secrets.hpp"
#include "shared/probes/probe_params.hpp"
#include "shared/protocol/signed_messages.hpp"
#include "shared/util/log_levels.hpp"
#include "shared/util/time_format.hpp"

namespace triage::collector {

using time_ms::from_ms;
using time_ms::to_ms;

namespace {

constexpr std::size_t kNonceBytes = 32;
/// What an answer may hold beyond the output budget the request gave (ids, timings, notes).
constexpr std::size_t kAnswerOverhead = 4096;

/// The agent's typed result as JSON, with the body prefix as text rather than base64.
nlohmann::json answer_json(const v1::ProbeResult& result) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  v1::ProbeResult copy = result;
  copy.clear_history_head_sha256();
  copy.clear_probe_run_id();
  std::string text;
  if (!google::protobuf::util::MessageToJsonString(copy, &text, options).ok()) {
    return {{"status", probes::probe_status_name(result.status())},
            {"reason", "unreadable result"}};
  }
  auto out = nlohmann::json::parse(text, nullptr, false);
  if (out.is_discarded()) return nlohmann::json::object();
  if (result.has_http_get() && out.contains("http_get")) {
    std::string body = result.http_get().body_prefix();
    for (char& c : body) {
      if ((static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') || c == 0x7f) c = '?';
    }
    out["http_get"]["body_prefix"] = body;
  }
  out["status"] = probes::probe_status_name(result.status());
  return out;
}

std::string state_of(const nlohmann::json& answer) {
  if (answer.is_object() && answer.contains("status") && answer["status"].is_string()) {
    return answer["status"].get<std::string>();
  }
  return "failed";
}

}  // namespace

nlohmann::json probe_run_json(const ProbeRun& run) {
  nlohmann::json out = {{"id", run.id},
                        {"device_id", run.device_id},
                        {"probe", run.probe},
                        {"params", run.params},
                        {"target", run.target},
                        {"ticket_id", run.ticket_id ? nlohmann::json(*run.ticket_id) : nullptr},
                        {"requested_by", run.requested_by},
                        {"requested_at", format_rfc3339(run.requested_at)},
                        {"expires_at", format_rfc3339(run.expires_at)},
                        {"time_budget_ms", run.time_budget_ms},
                        {"output_budget_bytes", run.output_budget_bytes},
                        {"state", run.state}};
  out["result"] = run.answer.is_null() ? nlohmann::json(nullptr) : run.answer;
  return out;
}

ProbeService::ProbeService(Store& store, AgentChannel& agents, AuditLog& audit,
                           EVP_PKEY* signing_key, std::string key_id, ProbeSettings settings,
                           OutboxPlanner* outbox)
    : store_(store),
      agents_(agents),
      audit_(audit),
      signing_key_(signing_key),
      key_id_(std::move(key_id)),
      settings_(settings),
      outbox_(outbox),
      rate_(RateLimit{static_cast<double>(settings.per_device_per_minute),
                      static_cast<double>(settings.per_device_per_minute), 100'000}) {}

Result<ProbeRun> ProbeService::request(const ProbeRequest& request, const User& user,
                                       TimePoint now) {
  if (user.role == Role::kViewer && !settings_.viewers_may_run) {
    return fail(ErrorCode::kDenied,
                "running probes needs the technician role (this collector does not let viewers "
                "run them)");
  }
  v1::ProbePayload p;
  if (auto r = probe_params_from_json(request.probe, request.params, p); !r) {
    return tl::unexpected(r.error());
  }
  p.set_time_budget_ms(request.time_budget_ms ? request.time_budget_ms
                                              : probes::kDefaultTimeBudgetMs);
  p.set_output_budget_bytes(request.output_budget_bytes ? request.output_budget_bytes
                                                        : probes::kDefaultOutputBudgetBytes);
  if (auto r = probes::check_probe_request(p); !r) return tl::unexpected(r.error());
  auto device = store_.read().devices().find_device(request.device_id);
  if (!device) return tl::unexpected(device.error());
  if (!*device) return fail(ErrorCode::kNotFound, "no device " + request.device_id.substr(0, 64));
  if ((*device)->revoked_at) {
    return fail(ErrorCode::kConflict, "device " + request.device_id + " is revoked");
  }
  if (!agents_.is_online(request.device_id)) {
    return fail(ErrorCode::kConflict, "device " + request.device_id +
                                          " is offline; probes run only on a connected device");
  }
  const auto clock = RateLimiter::Clock::now();
  if (auto wait = rate_.blocked_for(request.device_id, clock)) {
    return fail(ErrorCode::kUnavailable,
                "rate bound: device " + request.device_id + " was probed " +
                    std::to_string(settings_.per_device_per_minute) +
                    " times in the last minute; retry in " + std::to_string(wait->count()) + " s");
  }
  rate_.consume(request.device_id, clock);

  ProbeRun run;
  run.id = "p-" + pki::to_hex(pki::random_bytes(12));
  run.device_id = request.device_id;
  run.probe = p.probe();
  run.params = probe_params_to_json(p);
  run.target = probes::probe_target(p);
  run.ticket_id = request.ticket_id;
  run.requested_by = user.name;
  run.requested_at = std::chrono::time_point_cast<std::chrono::milliseconds>(now);
  run.expires_at = run.requested_at + settings_.ttl;
  run.time_budget_ms = p.time_budget_ms();
  run.output_budget_bytes = p.output_budget_bytes();
  p.set_probe_run_id(run.id);
  p.set_device_id(run.device_id);
  p.set_ticket_id(request.ticket_id ? std::to_string(*request.ticket_id) : "");
  p.set_requested_by(user.name);
  p.set_issued_at_unix_ms(to_ms(run.requested_at));
  p.set_expires_at_unix_ms(to_ms(run.expires_at));
  p.set_nonce(pki::random_bytes(kNonceBytes));
  auto signed_probe = protocol::sign_probe(signing_key_, key_id_, p);
  if (!signed_probe) return tl::unexpected(signed_probe.error());

  auto recorded = audit_.record_with([&](WriteTx& tx) -> Result<AuditEvent> {
    std::vector<TicketEvent> events;
    if (run.ticket_id) {
      auto ticket = tx.tickets().find_ticket(*run.ticket_id);
      if (!ticket) return tl::unexpected(ticket.error());
      if (!*ticket)
        return fail(ErrorCode::kNotFound, "no ticket " + std::to_string(*run.ticket_id));
      const auto& ids = (*ticket)->device_ids;
      if (std::find(ids.begin(), ids.end(), run.device_id) == ids.end()) {
        return fail(ErrorCode::kConflict, "device " + run.device_id + " is not linked to ticket " +
                                              std::to_string(*run.ticket_id));
      }
      TicketEvent e;
      e.ticket_id = *run.ticket_id;
      e.at = run.requested_at;
      e.actor = user.name;
      e.kind = "probe_requested";
      e.visibility = Visibility::kInternal;
      e.data = {{"probe_run_id", run.id},
                {"device_id", run.device_id},
                {"probe", run.probe},
                {"target", run.target}};
      events.push_back(std::move(e));
      if (auto r = tx.tickets().append_ticket_events(events); !r) return tl::unexpected(r.error());
      if (auto r = plan_outbox(outbox_, tx, events); !r) return tl::unexpected(r.error());
    }
    AuditEvent event;
    event.at = run.requested_at;
    event.actor = user.name;
    event.actor_kind = AuditActorKind::kUser;
    event.source = request.source;
    event.type = "probe.requested";
    event.target = "probe:" + run.id;
    event.details = {{"device_id", run.device_id},
                     {"probe", run.probe},
                     {"params", run.params},
                     {"target", run.target},
                     {"time_budget_ms", run.time_budget_ms},
                     {"output_budget_bytes", run.output_budget_bytes},
                     {"expires_at_ms", to_ms(run.expires_at)}};
    if (run.ticket_id) event.details["ticket_id"] = *run.ticket_id;
    return event;
  });
  if (!recorded) return tl::unexpected(recorded.error());

  v1::CollectorMessage message;
  *message.mutable_probe() = std::move(*signed_probe);
  if (agents_.send(run.device_id, message) != Delivery::kQueued) {
    // Recorded as asked: it shows as unanswered once it expires.
    logs::orders().warn("probe {}: device {} went away before it was sent", run.id, run.device_id);
  } else {
    logs::orders().info("probe {}: {} {} sent to device {}", run.id, run.probe, run.target,
                        run.device_id);
  }
  return run;
}

Result<void> ProbeService::record_result(const std::string& device_id,
                                         const v1::ProbeResult& result, TimePoint now) {
  const std::string id = result.probe_run_id().substr(0, 64);
  auto run = get(id, now);
  if (!run) {
    logs::orders().warn("device {}: answer to unknown probe {} ignored", device_id, id);
    return {};
  }
  if (run->device_id != device_id) {
    logs::orders().warn("device {}: answer to probe {} of another device ignored", device_id, id);
    return {};
  }
  if (run->state != "sent" && run->state != "unanswered") return {};  // answered already
  nlohmann::json answer;
  if (result.ByteSizeLong() > run->output_budget_bytes + kAnswerOverhead) {
    answer = {{"status", "failed"},
              {"reason", "the agent's answer (" + std::to_string(result.ByteSizeLong()) +
                             " bytes) was over the probe's output budget and was not kept"}};
  } else {
    answer = answer_json(result);
  }
  const auto state = state_of(answer);
  auto recorded = audit_.record_with([&](WriteTx& tx) -> Result<AuditEvent> {
    if (run->ticket_id) {
      TicketEvent e;
      e.ticket_id = *run->ticket_id;
      e.at = now;
      e.actor = "device:" + device_id;
      e.kind = "probe_run";
      e.visibility = Visibility::kInternal;
      e.data = {{"probe_run_id", run->id},
                {"probe", run->probe},
                {"target", run->target},
                {"requested_by", run->requested_by},
                {"state", state},
                {"reason", result.reason().substr(0, 1000)},
                {"duration_ms", result.duration_ms()},
                {"budget_note",
                 result.budget_exceeded() ? result.budget_note().substr(0, 300) : std::string()}};
      std::vector<TicketEvent> events{std::move(e)};
      if (auto r = tx.tickets().append_ticket_events(events); !r) return tl::unexpected(r.error());
      if (auto r = plan_outbox(outbox_, tx, events); !r) return tl::unexpected(r.error());
    }
    AuditEvent event;
    event.at = now;
    event.actor = device_id;
    event.actor_kind = AuditActorKind::kDevice;
    event.type = "probe." + state;
    event.target = "probe:" + run->id;
    if (state == "failed") event.outcome = AuditOutcome::kFailure;
    if (state == "refused") event.outcome = AuditOutcome::kDenied;
    event.details = {{"device_id", device_id}, {"probe", run->probe}, {"answer", answer}};
    return event;
  });
  if (!recorded) return tl::unexpected(recorded.error());
  return {};
}

Result<ProbeRun> ProbeService::get(const std::string& id, TimePoint now) {
  AuditFilter filter;
  filter.target = "probe:" + id;
  filter.limit = 10;
  auto page = store_.read().audit().list_audit(filter);
  if (!page) return tl::unexpected(page.error());
  std::optional<ProbeRun> run;
  nlohmann::json answer;
  // Newest first: the answer (if any) before the request.
  for (const auto& record : page->items) {
    auto details = nlohmann::json::parse(record.details, nullptr, false);
    if (details.is_discarded() || !details.is_object()) continue;
    if (record.type == "probe.requested") {
      ProbeRun r;
      r.id = id;
      r.device_id = details.value("device_id", "");
      r.probe = details.value("probe", "");
      r.params = details.value("params", nlohmann::json::object());
      r.target = details.value("target", "");
      if (details.contains("ticket_id") && details["ticket_id"].is_number_integer()) {
        r.ticket_id = details["ticket_id"].get<std::int64_t>();
      }
      r.requested_by = record.actor;
      r.requested_at = from_ms(record.at_ms);
      r.expires_at = from_ms(details.value("expires_at_ms", std::int64_t{0}));
      r.time_budget_ms = details.value("time_budget_ms", 0u);
      r.output_budget_bytes = details.value("output_budget_bytes", 0u);
      run = std::move(r);
    } else if (answer.is_null() && details.contains("answer")) {
      answer = details["answer"];
    }
  }
  if (!run) return fail(ErrorCode::kNotFound, "no probe run " + id.substr(0, 64));
  if (!answer.is_null()) {
    run->answer = std::move(answer);
    run->state = state_of(run->answer);
  } else if (now > run->expires_at) {
    run->state = "unanswered";
  }
  return *run;
}

Result<std::vector<ProbeRun>> ProbeService::recent_runs(const std::string& device_id, int limit,
                                                        TimePoint now) {
  auto device = store_.read().devices().find_device(device_id);
  if (!device) return tl::unexpected(device.error());
  if (!*device) return fail(ErrorCode::kNotFound, "no device " + device_id.substr(0, 64));
  std::vector<std::string> ids;
  const auto add = [&](const std::string& target) {
    constexpr std::string_view kPrefix = "probe:";
    if (!target.starts_with(kPrefix)) return;
    auto id = target.substr(kPrefix.size());
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(std::move(id));
  };
  // Answers are recorded with the device as their actor, so the actor index finds them all.
  AuditFilter answered;
  answered.actor = device_id;
  answered.type_prefix = "probe.";
  answered.limit = limit;
  auto answers = store_.read().audit().list_audit(answered);
  if (!answers) return tl::unexpected(answers.error());
  for (const auto& record : answers->items) {
    if (record.actor_kind == audit_actor_kind_name(AuditActorKind::kDevice)) add(record.target);
  }
  // A request's actor is the person who asked: runs without an answer are found among the
  // newest requests by the device they name.
  AuditFilter asked;
  asked.type_prefix = "probe.requested";
  asked.limit = kRecentRequestsScanned;
  auto requests = store_.read().audit().list_audit(asked);
  if (!requests) return tl::unexpected(requests.error());
  for (const auto& record : requests->items) {
    auto details = nlohmann::json::parse(record.details, nullptr, false);
    if (details.is_object() && details.value("device_id", "") == device_id) add(record.target);
  }
  std::vector<ProbeRun> runs;
  for (const auto& id : ids) {
    auto run = get(id, now);
    if (!run) {
      if (run.error().code == ErrorCode::kNotFound) continue;
      return tl::unexpected(run.error());
    }
    if (run->device_id == device_id) runs.push_back(std::move(*run));
  }
  std::stable_sort(runs.begin(), runs.end(), [](const ProbeRun& a, const ProbeRun& b) {
    return a.requested_at > b.requested_at;
  });
  if (runs.size() > static_cast<std::size_t>(limit)) runs.resize(static_cast<std::size_t>(limit));
  return runs;
}

}  // namespace triage::collector
