#include "collector/api/device_history_api.hpp"

#include "collector/api/query_params.hpp"
#include "collector/ingest/metric_extractor.hpp"
#include "shared/util/time_format.hpp"

namespace triage::collector {

namespace {

constexpr auto kDefaultWindow = std::chrono::hours(24 * 7);
constexpr long kDefaultLimit = 5000;
constexpr long kMaxLimit = 20000;

Result<TimePoint> time_param(const QueryParams& query, const std::string& name,
                             TimePoint fallback) {
  auto text = query.text(name);
  if (text.empty()) return fallback;
  auto t = parse_rfc3339(text);
  if (!t) {
    return fail(ErrorCode::kInvalid,
                "`" + name + "` must be an RFC 3339 time such as 2026-11-23T09:05:00Z");
  }
  return *t;
}

}  // namespace

ApiResult handle_device_history(ApiServices& services, ApiRequest& request) {
  QueryParams query(request.query);
  const std::string metric = query.text("metric");
  if (!is_metric_name(metric)) {
    return fail(
        ErrorCode::kInvalid,
        "`metric` must be one of cpu.load1, cpu.load5, cpu.load15, memory.used_pct, "
        "swap.used_pct, disk.<mount>.used_pct (disk.root.used_pct for /), battery.health_pct, "
        "battery.charge_pct");
  }
  const auto now = std::chrono::system_clock::now();
  auto until = time_param(query, "until", now);
  if (!until) return tl::unexpected(until.error());
  auto since = time_param(query, "since", *until - kDefaultWindow);
  if (!since) return tl::unexpected(since.error());
  if (*since > *until) {
    return fail(ErrorCode::kInvalid, "`since` must not be after `until`");
  }
  auto limit = query.integer("limit", kDefaultLimit, 1, kMaxLimit);
  if (!limit) return tl::unexpected(limit.error());

  const auto& id = request.path_params["id"];
  auto device = services.store.read().devices().find_device(id);
  if (!device) return tl::unexpected(device.error());
  if (!*device) return fail(ErrorCode::kNotFound, "no device " + id);
  // One more than asked tells whether the range holds more.
  auto points = services.store.read().reports().metric_points(id, metric, *since, *until,
                                                              static_cast<std::size_t>(*limit) + 1);
  if (!points) return tl::unexpected(points.error());
  const bool truncated = points->size() > static_cast<std::size_t>(*limit);
  if (truncated) points->pop_back();
  auto items = nlohmann::json::array();
  for (const auto& p : *points) items.push_back({{"t", format_rfc3339(p.t)}, {"value", p.value}});
  return json_response(http::status::ok, {{"device_id", id},
                                          {"metric", metric},
                                          {"since", format_rfc3339(*since)},
                                          {"until", format_rfc3339(*until)},
                                          {"points", items},
                                          {"truncated", truncated},
                                          {"reported_by", "endpoint"}});
}

}  // namespace triage::collector
