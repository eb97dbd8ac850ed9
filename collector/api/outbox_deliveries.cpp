#include "collector/api/outbox_deliveries.hpp"

#include "collector/api/json_fields.hpp"
#include "collector/api/query_params.hpp"
#include "shared/util/time_format.hpp"

namespace triage::collector {

namespace {

nlohmann::json optional_time(const std::optional<TimePoint>& t) {
  return t ? nlohmann::json(format_rfc3339(*t)) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json delivery_json(const OutboxMessage& m) {
  return {
      {"id", m.delivery_id},
      {"event_id", m.event_id},
      {"event_type", m.event_type},
      {"ticket_id", m.ticket_id ? nlohmann::json(m.ticket_id) : nlohmann::json(nullptr)},
      {"status", outbox_status_name(m.status)},
      {"attempts", m.attempts},
      {"created_at", format_rfc3339(m.created_at)},
      {"queued_at", format_rfc3339(m.queued_at)},
      {"last_attempt_at", optional_time(m.last_attempt_at)},
      {"last_http_status",
       m.last_http_status ? nlohmann::json(m.last_http_status) : nlohmann::json(nullptr)},
      {"last_error", m.last_error.empty() ? nlohmann::json(nullptr) : nlohmann::json(m.last_error)},
      {"next_attempt_at", m.status == OutboxStatus::kPending
                              ? nlohmann::json(format_rfc3339(m.next_attempt_at))
                              : nlohmann::json(nullptr)},
      {"delivered_at", optional_time(m.delivered_at)}};
}

ApiResult delivery_log_response(ApiServices& services, ApiRequest& request,
                                std::int64_t target_id) {
  QueryParams query(request.query);
  OutboxFilter filter;
  filter.target_id = target_id;
  if (auto status = query.text("status"); !status.empty()) {
    filter.status = parse_outbox_status(status);
    if (!filter.status) {
      return fail(ErrorCode::kInvalid, "`status` must be pending, delivered or failed");
    }
  }
  FieldErrors errors;
  filter.limit = static_cast<int>(errors.take(query.integer("limit", 50, 1, 500)));
  filter.offset = static_cast<int>(errors.take(query.integer("offset", 0, 0, 100'000'000)));
  if (errors.first) return tl::unexpected(*errors.first);
  return services.store.read().outbox().list_outbox(filter).transform([&](const auto& page) {
    auto items = nlohmann::json::array();
    for (const auto& m : page.items) items.push_back(delivery_json(m));
    return json_response(http::status::ok, {{"deliveries", items},
                                            {"total", page.total},
                                            {"limit", filter.limit},
                                            {"offset", filter.offset}});
  });
}

}  // namespace triage::collector
