#include "collector/api/live_api.hpp"

#include <cstdint>

#include "collector/api/json_fields.hpp"
#include "collector/api/query_params.hpp"

namespace triage::collector {

namespace {

TimePoint now() { return std::chrono::system_clock::now(); }

tl::unexpected<Error> unavailable() {
  return fail(ErrorCode::kUnavailable, "live views are not enabled on this collector");
}

Result<std::uint32_t> minutes_of(ApiServices& services, const HttpRequest& http) {
  auto body = parse_json_body(http, {"ticket_id", "minutes"});
  if (!body) return tl::unexpected(body.error());
  const auto step = services.live->settings().step.count();
  auto minutes = integer_field(*body, "minutes", 1, step);
  if (!minutes) return tl::unexpected(minutes.error());
  return static_cast<std::uint32_t>(minutes->value_or(step));
}

}  // namespace

ApiResult handle_open_live(ApiServices& services, ApiRequest& request) {
  if (!services.live) return unavailable();
  auto body = parse_json_body(request.http, {"ticket_id", "minutes"});
  if (!body) return tl::unexpected(body.error());
  FieldErrors errors;
  auto ticket = errors.take(integer_field(*body, "ticket_id", 1, INT64_MAX));
  const auto step = services.live->settings().step.count();
  auto minutes = errors.take(integer_field(*body, "minutes", 1, step));
  if (errors.first) return tl::unexpected(*errors.first);
  LiveRequest live;
  live.device_id = request.path_params["id"];
  live.ticket_id = ticket;
  live.minutes = static_cast<std::uint32_t>(minutes.value_or(step));
  live.source = request.peer.remote_address;
  const auto at = now();
  auto opened = services.live->open(live, *request.user, at);
  if (!opened) {
    if (opened.error().code == ErrorCode::kUnavailable) {
      return refuse(http::status::service_unavailable, "too_many_live_views",
                    opened.error().message);
    }
    return tl::unexpected(opened.error());
  }
  auto json = live_session_json(opened->session, at);
  json["joined"] = opened->joined;
  auto res = json_response(opened->joined ? http::status::ok : http::status::created, json);
  res.set(http::field::location, "/api/v1/live/" + opened->session.id);
  return res;
}

ApiResult handle_get_live(ApiServices& services, ApiRequest& request) {
  if (!services.live) return unavailable();
  FieldErrors errors;
  const QueryParams query(request.query);
  const auto after = errors.take(query.integer("after", 0, 0, INT32_MAX));
  const auto limit = errors.take(query.integer("limit", 120, 1, 600));
  if (errors.first) return tl::unexpected(*errors.first);
  const auto& id = request.path_params["id"];
  // The session first: a sample stored after this read shows in the next poll, never lost.
  auto session = services.live->get(id);
  if (!session) return tl::unexpected(session.error());
  auto samples =
      services.live->samples(id, static_cast<std::uint32_t>(after), static_cast<int>(limit));
  if (!samples) return tl::unexpected(samples.error());
  auto next_after = static_cast<std::int64_t>(after);
  for (const auto& s : *samples) next_after = std::max<std::int64_t>(next_after, s.value("seq", 0));
  auto json = live_session_json(*session, now());
  json["interval_ms"] = services.live->settings().interval_ms;
  return json_response(http::status::ok,
                       {{"session", json}, {"samples", *samples}, {"next_after", next_after}});
}

ApiResult handle_extend_live(ApiServices& services, ApiRequest& request) {
  if (!services.live) return unavailable();
  auto minutes = minutes_of(services, request.http);
  if (!minutes) return tl::unexpected(minutes.error());
  const auto at = now();
  return services.live
      ->extend(request.path_params["id"], *minutes, *request.user, request.peer.remote_address, at)
      .transform([&](const LiveSession& s) {
        return json_response(http::status::ok, live_session_json(s, at));
      });
}

ApiResult handle_stop_live(ApiServices& services, ApiRequest& request) {
  if (!services.live) return unavailable();
  const auto at = now();
  return services.live
      ->stop(request.path_params["id"], *request.user, request.peer.remote_address, at)
      .transform([&](const LiveSession& s) {
        return json_response(http::status::ok, live_session_json(s, at));
      });
}

ApiResult handle_ticket_live(ApiServices& services, ApiRequest& request) {
  if (!services.live) return unavailable();
  auto ticket_id = numeric_path_param(request, "id", "ticket");
  if (!ticket_id) return tl::unexpected(ticket_id.error());
  if (auto t = services.tickets.get(*ticket_id); !t) return tl::unexpected(t.error());
  auto sessions = services.live->ticket_sessions(*ticket_id);
  if (!sessions) return tl::unexpected(sessions.error());
  const auto at = now();
  nlohmann::json items = nlohmann::json::array();
  for (const auto& s : *sessions) items.push_back(live_session_json(s, at));
  return json_response(http::status::ok, {{"items", items}});
}

}  // namespace triage::collector
