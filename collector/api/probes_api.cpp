#include "collector/api/probes_api.hpp"

#include <cstdint>

#include "collector/api/json_fields.hpp"
#include "collector/api/query_params.hpp"
#include "shared/probes/probe_params.hpp"

namespace triage::collector {

namespace {

TimePoint now() { return std::chrono::system_clock::now(); }

tl::unexpected<Error> unavailable() {
  return fail(ErrorCode::kUnavailable, "probes are not enabled on this collector");
}

}  // namespace

ApiResult handle_probe_catalog(ApiServices& services, ApiRequest&) {
  if (!services.probes) return unavailable();
  const nlohmann::json params = {
      {"reach",
       {{"host", "string: one DNS name or IP address"},
        {"port", "integer 1-65535"},
        {"tls", "boolean (default false)"},
        {"server_name", "string: TLS name to send and verify (default: host)"}}},
      {"resolve",
       {{"name", "string: one DNS name"},
        {"each_server", "boolean (default false): also ask each configured DNS server"}}},
      {"http_get",
       {{"url", "string: http:// or https:// URL without credentials"},
        {"max_redirects", "integer 0-5 (default 3)"}}},
      {"listening", nlohmann::json::object()},
      {"disk_usage",
       {{"path", "string: absolute directory"},
        {"max_depth", "integer 1-8 (default 2)"},
        {"top", "integer 1-50 (default 10)"}}},
      {"connections",
       {{"pid", "integer: one process id (or give process)"},
        {"process", "string: a process name, every process of that name (or give pid)"}}},
      {"log_lines",
       {{"source", "string: a systemd unit or syslog identifier; an Event Log channel"},
        {"min_level",
         "string: emerg, alert, crit, err, warning, notice, info or debug (default warning)"},
        {"since_minutes", "integer 1-1440 (default 10)"},
        {"max_lines", "integer 1-500 (default 100): the newest are kept"}}},
      {"path",
       {{"host", "string: one DNS name or IP address"},
        {"max_hops", "integer 1-30 (default 20)"}}}};
  nlohmann::json items = nlohmann::json::array();
  for (auto name : probes::probe_names()) {
    items.push_back({{"probe", name}, {"params", params[std::string(name)]}});
  }
  return json_response(
      http::status::ok,
      {{"items", items},
       {"time_budget_ms",
        {{"default", probes::kDefaultTimeBudgetMs}, {"max", probes::kMaxTimeBudgetMs}}},
       {"output_budget_bytes",
        {{"default", probes::kDefaultOutputBudgetBytes}, {"max", probes::kMaxOutputBudgetBytes}}},
       {"viewers_may_run", services.probes->settings().viewers_may_run}});
}

ApiResult handle_run_probe(ApiServices& services, ApiRequest& request) {
  if (!services.probes) return unavailable();
  auto body = parse_json_body(
      request.http, {"probe", "params", "ticket_id", "time_budget_ms", "output_budget_bytes"});
  if (!body) return tl::unexpected(body.error());
  FieldErrors errors;
  auto probe = errors.take(string_field(*body, "probe", true));
  auto ticket = errors.take(integer_field(*body, "ticket_id", 1, INT64_MAX));
  auto time_budget =
      errors.take(integer_field(*body, "time_budget_ms", 1, probes::kMaxTimeBudgetMs));
  auto output_budget =
      errors.take(integer_field(*body, "output_budget_bytes", 1, probes::kMaxOutputBudgetBytes));
  if (errors.first) return tl::unexpected(*errors.first);
  ProbeRequest probe_request;
  probe_request.device_id = request.path_params["id"];
  probe_request.probe = probe.value_or("");
  if (body->contains("params")) probe_request.params = (*body)["params"];
  probe_request.ticket_id = ticket;
  probe_request.time_budget_ms = static_cast<std::uint32_t>(time_budget.value_or(0));
  probe_request.output_budget_bytes = static_cast<std::uint32_t>(output_budget.value_or(0));
  probe_request.source = request.peer.remote_address;
  auto run = services.probes->request(probe_request, *request.user, now());
  if (!run) {
    if (run.error().code == ErrorCode::kUnavailable) {
      return refuse(http::status::too_many_requests, "rate_limited", run.error().message);
    }
    return tl::unexpected(run.error());
  }
  auto res = json_response(http::status::created, probe_run_json(*run));
  res.set(http::field::location, "/api/v1/probes/" + run->id);
  return res;
}

ApiResult handle_get_probe(ApiServices& services, ApiRequest& request) {
  if (!services.probes) return unavailable();
  return services.probes->get(request.path_params["id"], now()).transform([](const ProbeRun& run) {
    return json_response(http::status::ok, probe_run_json(run));
  });
}

ApiResult handle_device_probes(ApiServices& services, ApiRequest& request) {
  if (!services.probes) return unavailable();
  FieldErrors errors;
  const auto limit = errors.take(QueryParams(request.query).integer("limit", 20, 1, 100));
  if (errors.first) return tl::unexpected(*errors.first);
  auto runs =
      services.probes->recent_runs(request.path_params["id"], static_cast<int>(limit), now());
  if (!runs) return tl::unexpected(runs.error());
  nlohmann::json items = nlohmann::json::array();
  for (const auto& run : *runs) items.push_back(probe_run_json(run));
  return json_response(http::status::ok, {{"items", items}, {"limit", limit}});
}

}  // namespace triage::collector
