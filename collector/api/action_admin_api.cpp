#include "collector/api/action_admin_api.hpp"

#include "collector/actions/custom_actions.hpp"
#include "collector/api/actions_api.hpp"
#include "collector/api/json_fields.hpp"
#include "collector/api/query_params.hpp"
#include "collector/auth/accounts.hpp"
#include "shared/util/time_format.hpp"

namespace triage::collector {

namespace {

constexpr std::size_t kMaxReasonBytes = 1000;

tl::unexpected<Error> unavailable() {
  return fail(ErrorCode::kUnavailable, "remediation actions are not enabled on this collector");
}

/// The `definition` (TOML text) of the request body.
Result<std::string> definition_field(const ApiRequest& request) {
  auto body = parse_json_body(request.http, {"definition"});
  if (!body) return tl::unexpected(body.error());
  auto text = string_field(*body, "definition", true);
  if (!text) return tl::unexpected(text.error());
  return std::move(**text);
}

/// Which credential a request used: recorded with each step, so an audit can tell two
/// approvals made with one credential apart from two people. Session ids are hashes already.
std::string credential_of(const ApiRequest& request) {
  if (!request.auth) return "";
  const auto& auth = *request.auth;
  if (auth.kind == AuthKind::kApiToken) return "api_token:" + auth.token_id;
  return std::string(auth_kind_name(auth.kind)) + ":" + auth.session_hash.substr(0, 16);
}

CatalogActor actor_of(const ApiRequest& request) {
  return CatalogActor{request.user->name, request.user->id, request.user->role,
                      credential_of(request), request.peer.remote_address};
}

nlohmann::json step_json(const ProposalStep& step) {
  return {{"user", step.user}, {"user_id", step.user_id}, {"at", format_rfc3339(step.at)}};
}

nlohmann::json proposal_json(const CatalogProposal& p) {
  nlohmann::json j = {{"id", p.id},
                      {"action_id", p.action_id},
                      {"change", catalog_change_name(p.change)},
                      {"version", p.version},
                      {"status", proposal_status_name(p.status)},
                      {"definition", p.definition},
                      {"sha256", p.sha256},
                      {"base_sha256", p.base_sha256},
                      {"proposed", step_json(p.proposed)},
                      {"decided", p.decided ? step_json(*p.decided) : nlohmann::json()},
                      {"reason", p.reason}};
  if (p.change != CatalogChange::kDelete) {
    // What the definition would do, for the reviewer; it was valid when proposed.
    if (auto def = parse_action_definition(p.definition, "proposal")) {
      j["title"] = def->title;
      j["argv"] = def->argv;
      j["risk"] = action_risk_name(def->risk);
      j["min_role"] = def->min_role;
      j["approval"] = def->needs_approval() ? "second_person" : "none";
    }
  }
  return j;
}

/// 202 with the proposal and its Location.
HttpResponse proposed(const CatalogProposal& p) {
  auto res = json_response(http::status::accepted, proposal_json(p));
  res.set(http::field::location, "/api/v1/actions/proposals/" + std::to_string(p.id));
  return res;
}

HttpResponse proposal_response(const CatalogProposal& p) {
  return json_response(http::status::ok, proposal_json(p));
}

}  // namespace

ApiResult handle_create_action(ApiServices& services, ApiRequest& request) {
  if (!services.custom_actions) return unavailable();
  return definition_field(request)
      .and_then([&](const std::string& text) {
        return services.custom_actions->propose_create(text, actor_of(request),
                                                       std::chrono::system_clock::now());
      })
      .transform(proposed);
}

ApiResult handle_update_action(ApiServices& services, ApiRequest& request) {
  if (!services.custom_actions) return unavailable();
  return definition_field(request)
      .and_then([&](const std::string& text) {
        return services.custom_actions->propose_update(
            request.path_params["id"], text, actor_of(request), std::chrono::system_clock::now());
      })
      .transform(proposed);
}

ApiResult handle_delete_action(ApiServices& services, ApiRequest& request) {
  if (!services.custom_actions) return unavailable();
  return services.custom_actions
      ->propose_delete(request.path_params["id"], actor_of(request),
                       std::chrono::system_clock::now())
      .transform(proposed);
}

ApiResult handle_list_catalog_proposals(ApiServices& services, ApiRequest& request) {
  QueryParams query(request.query);
  std::optional<ProposalStatus> status = ProposalStatus::kPending;
  const auto wanted = query.text("status");
  if (wanted == "all") {
    status.reset();
  } else if (!wanted.empty()) {
    status = parse_proposal_status(wanted);
    if (!status) {
      return fail(ErrorCode::kInvalid,
                  "`status` must be pending, activated, rejected, withdrawn or all");
    }
  }
  auto limit = query.integer("limit", 100, 1, 500);
  if (!limit) return tl::unexpected(limit.error());
  return services.store.read()
      .catalog()
      .list_catalog_proposals(status, static_cast<int>(*limit))
      .transform([](const auto& list) {
        auto items = nlohmann::json::array();
        for (const auto& p : list) items.push_back(proposal_json(p));
        return json_response(http::status::ok, {{"items", items}});
      });
}

ApiResult handle_get_catalog_proposal(ApiServices& services, ApiRequest& request) {
  auto id = numeric_path_param(request, "id", "catalog proposal");
  if (!id) return tl::unexpected(id.error());
  auto found = services.store.read().catalog().find_catalog_proposal(*id);
  if (!found) return tl::unexpected(found.error());
  if (!*found) return fail(ErrorCode::kNotFound, "no such proposal");
  auto j = proposal_json(**found);
  // The definition the change replaces or deletes, so a reviewer sees both.
  j["current_definition"] = nullptr;
  if ((*found)->change != CatalogChange::kCreate) {
    auto current = services.store.read().catalog().find_custom_action((*found)->action_id);
    if (!current) return tl::unexpected(current.error());
    if (*current) j["current_definition"] = (*current)->definition;
  }
  return json_response(http::status::ok, j);
}

ApiResult handle_approve_catalog_proposal(ApiServices& services, ApiRequest& request) {
  if (!services.custom_actions) return unavailable();
  auto id = numeric_path_param(request, "id", "catalog proposal");
  if (!id) return tl::unexpected(id.error());
  return services.custom_actions->approve(*id, actor_of(request), std::chrono::system_clock::now())
      .transform(proposal_response);
}

ApiResult handle_reject_catalog_proposal(ApiServices& services, ApiRequest& request) {
  if (!services.custom_actions) return unavailable();
  auto id = numeric_path_param(request, "id", "catalog proposal");
  if (!id) return tl::unexpected(id.error());
  std::string reason;
  if (!request.http.body().empty()) {
    auto body = parse_json_body(request.http, {"reason"});
    if (!body) return tl::unexpected(body.error());
    auto text = optional_string(*body, "reason");
    if (!text) return tl::unexpected(text.error());
    if (*text) reason = std::move(**text);
  }
  if (reason.size() > kMaxReasonBytes) {
    return fail(ErrorCode::kInvalid,
                "`reason` is longer than " + std::to_string(kMaxReasonBytes) + " bytes");
  }
  return services.custom_actions
      ->reject(*id, actor_of(request), reason, std::chrono::system_clock::now())
      .transform(proposal_response);
}

}  // namespace triage::collector
