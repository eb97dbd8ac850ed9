#include "collector/api/actions_api.hpp"

#include <charconv>
#include <cstdint>
#include <optional>

#include "collector/api/json_fields.hpp"
#include "collector/api/query_params.hpp"
#include "shared/util/time_format.hpp"

namespace triage::collector {

namespace {

TimePoint now() { return std::chrono::system_clock::now(); }

const char* param_type_name(ParamType type) {
  switch (type) {
    case ParamType::kEnum:
      return "enum";
    case ParamType::kInteger:
      return "integer";
    case ParamType::kRegex:
      return "regex";
  }
  return "regex";
}

nlohmann::json optional_time(const std::optional<TimePoint>& t) {
  return t ? nlohmann::json(format_rfc3339(*t)) : nlohmann::json(nullptr);
}

tl::unexpected<Error> unavailable() {
  return fail(ErrorCode::kUnavailable, "remediation actions are not enabled on this collector");
}

Result<std::int64_t> ticket_id(ApiRequest& request) {
  return numeric_path_param(request, "id", "ticket");
}

/// Requests, approvals and rejections are one person's each: the two-person rule holds only
/// if nobody can act with a credential another person could hold. A service account is
/// refused (no person behind it), and so is an API token minted for the user by someone
/// else (tokens made before tokens became personal).
Result<void> require_personal_credential(const ApiRequest& request) {
  const auto& auth = *request.auth;
  if (auth.user.kind != UserKind::kPerson) {
    return fail(ErrorCode::kDenied, "service account " + auth.user.name +
                                        " cannot request, approve or reject orders; a person must");
  }
  if (!auth.personal()) {
    return fail(ErrorCode::kDenied, "API token " + auth.token_id + " was minted for " +
                                        auth.user.name + " by " + auth.token_created_by +
                                        "; orders need a credential only you hold: log in or mint "
                                        "your own token");
  }
  return {};
}

/// The optional `reason` of approve/reject/cancel bodies (an empty body is fine).
Result<std::string> reason_field(const ApiRequest& request) {
  if (request.http.body().empty()) return std::string();
  auto body = parse_json_body(request.http, {"reason"});
  if (!body) return tl::unexpected(body.error());
  auto reason = optional_string(*body, "reason");
  if (!reason) return tl::unexpected(reason.error());
  if (*reason && (*reason)->size() > 2000) {
    return fail(ErrorCode::kInvalid, "`reason` is longer than 2000 bytes");
  }
  return reason->value_or("");
}

Result<HttpResponse> order_response(ApiServices& services, const std::string& id,
                                    http::status status) {
  return services.orders->get(id).transform([&](const OrderView& view) {
    auto body = order_json(view.order, &view.output);
    const auto catalog = services.orders->catalog();  // held while `def` is read
    const auto* def = catalog->find(view.order.action_id);
    if (def != nullptr && def->stdout_attachment) {
      // A file, not text: its bytes are served as the ticket attachment the result names.
      const auto bytes = body["output"]["stdout"].get<std::string>().size();
      body["output"]["stdout"] = "";
      body["output"]["stdout_bytes"] = bytes;
      body["output"]["stdout_is_file"] = true;
    }
    return json_response(status, body);
  });
}

}  // namespace

nlohmann::json action_json(const ActionDefinition& def) {
  nlohmann::json params = nlohmann::json::array();
  for (const auto& p : def.params) {
    nlohmann::json j = {
        {"name", p.name}, {"type", param_type_name(p.type)}, {"description", p.description}};
    if (p.type == ParamType::kEnum) j["values"] = p.values;
    if (p.type == ParamType::kInteger) {
      j["min"] = p.min;
      j["max"] = p.max;
    }
    if (p.type == ParamType::kRegex) {
      j["pattern"] = p.pattern;
      j["max_length"] = p.max_length;
    }
    params.push_back(std::move(j));
  }
  nlohmann::json out = {{"id", def.id},
                        {"version", def.version},
                        {"title", def.title},
                        {"description", def.description},
                        {"platform", def.platform},
                        {"argv", def.argv},
                        {"params", params},
                        {"timeout_s", def.timeout_s},
                        {"output_cap_bytes", def.output_cap_bytes},
                        {"risk", action_risk_name(def.risk)},
                        {"min_role", role_name(def.required_role())},
                        {"approval", def.needs_approval() ? "second_person" : "none"},
                        {"fixes", def.fixes},
                        {"sha256", def.sha256},
                        {"source", def.source}};
  if (def.post_check) {
    out["post_check"] = {{"argv", def.post_check->argv},
                         {"expect_exit_code", def.post_check->expect_exit_code},
                         {"timeout_s", def.post_check->timeout_s}};
  }
  return out;
}

nlohmann::json order_json(const Order& o, const std::vector<OrderOutputChunk>* output) {
  nlohmann::json out = {{"id", o.id},
                        {"ticket_id", o.ticket_id},
                        {"device_id", o.device_id},
                        {"action", o.action_id},
                        {"action_version", o.action_version},
                        {"definition_sha256", o.definition_sha256},
                        {"params", o.params},
                        {"argv", o.argv},
                        {"risk", o.risk},
                        {"timeout_s", o.timeout_s},
                        {"output_cap_bytes", o.output_cap_bytes},
                        {"state", order_state_name(o.state)},
                        {"reason", o.reason},
                        {"requested_by", o.requested_by},
                        {"requested_credential", o.requested_credential.empty()
                                                     ? nlohmann::json(nullptr)
                                                     : nlohmann::json(o.requested_credential)},
                        {"approved_by", o.approved_by.empty() ? nlohmann::json(nullptr)
                                                              : nlohmann::json(o.approved_by)},
                        {"approved_credential", o.approved_credential.empty()
                                                    ? nlohmann::json(nullptr)
                                                    : nlohmann::json(o.approved_credential)},
                        {"created_at", format_rfc3339(o.created_at)},
                        {"updated_at", format_rfc3339(o.updated_at)},
                        {"expires_at", optional_time(o.expires_at)},
                        {"sent_at", optional_time(o.sent_at)},
                        {"finished_at", optional_time(o.finished_at)},
                        {"first_output_at", optional_time(o.first_output_at)},
                        {"cancel_requested_by", o.cancel_requested_by.empty()
                                                    ? nlohmann::json(nullptr)
                                                    : nlohmann::json(o.cancel_requested_by)},
                        {"result", o.result}};
  if (output) {
    std::string stdout_text, stderr_text;
    for (const auto& chunk : *output)
      (chunk.stream == "stderr" ? stderr_text : stdout_text) += chunk.data;
    out["output"] = {{"stdout", stdout_text}, {"stderr", stderr_text}};
  }
  return out;
}

ApiResult handle_list_actions(ApiServices& services, ApiRequest&) {
  if (!services.orders) return unavailable();
  nlohmann::json items = nlohmann::json::array();
  const auto catalog = services.orders->catalog();  // held: an admin may replace it meanwhile
  for (const auto& def : catalog->all()) items.push_back(action_json(def));
  return json_response(http::status::ok, {{"items", items}});
}

ApiResult handle_request_action(ApiServices& services, ApiRequest& request) {
  if (!services.orders) return unavailable();
  if (auto r = require_personal_credential(request); !r) return tl::unexpected(r.error());
  auto id = ticket_id(request);
  if (!id) return tl::unexpected(id.error());
  auto body = parse_json_body(request.http, {"action", "params", "device_id"});
  if (!body) return tl::unexpected(body.error());
  FieldErrors errors;
  auto action = errors.take(string_field(*body, "action", true));
  auto device_id = errors.take(optional_string(*body, "device_id"));
  if (errors.first) return tl::unexpected(*errors.first);
  OrderRequest order;
  order.ticket_id = *id;
  order.action_id = action.value_or("");
  order.device_id = device_id.value_or("");
  order.source = request.peer.remote_address;
  order.credential = request.auth->credential();
  if (body->contains("params")) order.params = (*body)["params"];
  auto created = services.orders->request(order, *request.user, now());
  if (!created) return tl::unexpected(created.error());
  return order_response(services, created->id, http::status::created)
      .transform([&](HttpResponse res) {
        res.set(http::field::location, "/api/v1/orders/" + created->id);
        return res;
      });
}

ApiResult handle_ticket_orders(ApiServices& services, ApiRequest& request) {
  if (!services.orders) return unavailable();
  auto id = ticket_id(request);
  if (!id) return tl::unexpected(id.error());
  if (auto t = services.tickets.get(*id); !t) return tl::unexpected(t.error());
  OrderQuery query;
  query.ticket_id = *id;
  query.limit = 500;
  return services.store.read().orders().list_orders(query).transform([](const auto& orders) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& o : orders) items.push_back(order_json(o, nullptr));
    return json_response(http::status::ok, {{"items", items}});
  });
}

ApiResult handle_list_orders(ApiServices& services, ApiRequest& request) {
  if (!services.orders) return unavailable();
  QueryParams params(request.query);
  OrderQuery query;
  query.newest_first = true;
  for (const auto& word : params.list("state")) {
    auto state = parse_order_state(word);
    if (!state) {
      return fail(ErrorCode::kInvalid,
                  "`state` must be awaiting_approval, queued, sent, running, succeeded, failed, "
                  "refused, expired or cancelled");
    }
    query.states.push_back(*state);
  }
  query.device_id = params.text("device_id");
  if (query.device_id.size() > 64) {
    return fail(ErrorCode::kInvalid, "`device_id` is longer than 64 characters");
  }
  FieldErrors errors;
  if (!params.text("ticket_id").empty()) {
    query.ticket_id = errors.take(params.integer("ticket_id", 0, 1, INT64_MAX));
  }
  const auto limit = errors.take(params.integer("limit", 50, 1, 500));
  const auto offset = errors.take(params.integer("offset", 0, 0, 100'000'000));
  if (errors.first) return tl::unexpected(*errors.first);
  // One more than asked tells whether another page follows.
  query.limit = static_cast<int>(limit) + 1;
  query.offset = static_cast<int>(offset);
  auto orders = services.store.read().orders().list_orders(query);
  if (!orders) return tl::unexpected(orders.error());
  const bool more = orders->size() > static_cast<std::size_t>(limit);
  if (more) orders->pop_back();
  nlohmann::json items = nlohmann::json::array();
  for (const auto& o : *orders) items.push_back(order_json(o, nullptr));
  return json_response(http::status::ok, {{"items", items},
                                          {"limit", limit},
                                          {"offset", offset},
                                          {"next_offset", more ? nlohmann::json(offset + limit)
                                                               : nlohmann::json(nullptr)}});
}

ApiResult handle_get_order(ApiServices& services, ApiRequest& request) {
  if (!services.orders) return unavailable();
  return order_response(services, request.path_params["id"], http::status::ok);
}

ApiResult handle_approve_order(ApiServices& services, ApiRequest& request) {
  if (!services.orders) return unavailable();
  if (auto r = require_personal_credential(request); !r) return tl::unexpected(r.error());
  if (auto reason = reason_field(request); !reason) return tl::unexpected(reason.error());
  return services.orders
      ->approve(request.path_params["id"], *request.user, now(), request.peer.remote_address,
                request.auth->credential())
      .and_then(
          [&](const Order& order) { return order_response(services, order.id, http::status::ok); });
}

ApiResult handle_reject_order(ApiServices& services, ApiRequest& request) {
  if (!services.orders) return unavailable();
  if (auto r = require_personal_credential(request); !r) return tl::unexpected(r.error());
  auto reason = reason_field(request);
  if (!reason) return tl::unexpected(reason.error());
  return services.orders
      ->reject(request.path_params["id"], *request.user, *reason, now(),
               request.peer.remote_address)
      .and_then(
          [&](const Order& order) { return order_response(services, order.id, http::status::ok); });
}

ApiResult handle_cancel_order(ApiServices& services, ApiRequest& request) {
  if (!services.orders) return unavailable();
  auto reason = reason_field(request);
  if (!reason) return tl::unexpected(reason.error());
  return services.orders
      ->cancel(request.path_params["id"], *request.user, *reason, now(),
               request.peer.remote_address)
      .and_then([&](const Order& order) {
        // Sent or running: the agent stops it and reports; the order says so once it did.
        const bool pending =
            order.state == OrderState::kSent || order.state == OrderState::kRunning;
        return order_response(services, order.id,
                              pending ? http::status::accepted : http::status::ok);
      });
}

}  // namespace triage::collector
