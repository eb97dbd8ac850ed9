#include "collector/api/findings_api.hpp"

#include "collector/api/problems_api.hpp"
#include "collector/api/query_params.hpp"
#include "collector/findings/rule_catalog.hpp"
#include "shared/util/time_format.hpp"

namespace triage::collector {

ApiResult handle_fleet_findings(ApiServices& services, ApiRequest& request) {
  std::optional<TimePoint> since;
  if (auto text = QueryParams(request.query).text("since"); !text.empty()) {
    since = parse_rfc3339(text);
    if (!since) {
      return fail(ErrorCode::kInvalid,
                  "`since` must be an RFC 3339 time such as 2026-11-23T09:05:00Z");
    }
  }
  auto findings = services.store.read().problems().fleet_findings(since);
  if (!findings) return tl::unexpected(findings.error());
  // The open problem of each rule, so the coordinator sees which incidents are handled.
  auto problems = services.store.read().problems().list_problems(true);
  if (!problems) return tl::unexpected(problems.error());
  auto items = nlohmann::json::array();
  for (const auto& f : *findings) {
    nlohmann::json problem = nullptr;
    for (const auto& p : *problems) {
      if (p.rule_id == f.rule_id) problem = problem_json(p);
    }
    items.push_back({{"rule", f.rule_id},
                     {"problem", std::move(problem)},
                     {"severity", f.severity},
                     {"title", f.title},
                     {"devices", f.devices},
                     {"first_seen", format_rfc3339(f.first_seen)},
                     {"last_seen", format_rfc3339(f.last_seen)},
                     {"example_devices", f.example_devices},
                     {"summary", f.rule_id + " on " + std::to_string(f.devices) +
                                     (f.devices == 1 ? " device" : " devices") + " since " +
                                     format_rfc3339(f.first_seen)}});
  }
  return json_response(http::status::ok, {{"findings", items}, {"reported_by", "endpoint"}});
}

ApiResult handle_device_findings(ApiServices& services, ApiRequest& request) {
  const auto& id = request.path_params["id"];
  auto device = services.store.read().devices().find_device(id);
  if (!device) return tl::unexpected(device.error());
  if (!*device) return fail(ErrorCode::kNotFound, "no such device");
  auto findings = services.store.read().problems().device_findings(id);
  if (!findings) return tl::unexpected(findings.error());
  // The open problem of each rule, so the coordinator sees which incidents are handled.
  auto problems = services.store.read().problems().list_problems(true);
  if (!problems) return tl::unexpected(problems.error());
  auto items = nlohmann::json::array();
  for (const auto& f : *findings) {
    nlohmann::json problem = nullptr;
    for (const auto& p : *problems) {
      if (p.rule_id == f.rule_id) problem = problem_json(p);
    }
    items.push_back({{"rule", f.rule_id},
                     {"problem", std::move(problem)},
                     {"subject", f.subject},
                     {"severity", f.severity},
                     {"title", f.title},
                     {"evidence", f.evidence},
                     {"first_seen", format_rfc3339(f.first_seen)},
                     {"last_seen", format_rfc3339(f.last_seen)}});
  }
  return json_response(http::status::ok,
                       {{"device_id", id}, {"findings", items}, {"reported_by", "endpoint"}});
}

}  // namespace triage::collector

namespace triage::collector {

ApiResult handle_finding_rules(ApiServices&, ApiRequest&) {
  return json_response(http::status::ok, {{"rules", rule_catalog_json()}});
}

}  // namespace triage::collector
