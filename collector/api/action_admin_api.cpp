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

HttpResponse unavailable() {
  return error_response(http::status::service_unavailable, "unavailable",
                        "remediation actions are not enabled on this collector");
}

/// The `definition` (TOML text) of the request body.
Result<std::string> definition_field(const ApiRequest& request) {
  auto body = parse_json_body(request.http);
  if (!body) return tl::unexpected(body.error());
  if (auto r = reject_unknown_fields(*body, {"definition"}); !r) return tl::unexpected(r.error());
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

HttpResponse proposed(const Result<CatalogProposal>& p) {
  if (!p) return error_response(p.error());
  auto res = json_response(http::status::accepted, proposal_json(*p));
  res.set(http::field::location, "/api/v1/actions/proposals/" + std::to_string(p->id));
  return res;
}

}  // namespace

HttpResponse handle_create_action(ApiServices& services, ApiRequest& request) {
  if (!services.custom_actions) return unavailable();
  auto text = definition_field(request);
  if (!text) return error_response(text.error());
  return proposed(services.custom_actions->propose_create(*text, actor_of(request),
                                                          std::chrono::system_clock::now()));
}

HttpResponse handle_update_action(ApiServices& services, ApiRequest& request) {
  if (!services.custom_actions) return unavailable();
  auto text = definition_field(request);
  if (!text) return error_response(text.error());
  return proposed(services.custom_actions->propose_update(
      request.path_params["id"], *text, actor_of(request), std::chrono::system_clock::now()));
}

HttpResponse handle_delete_action(ApiServices& services, ApiRequest& request) {
  if (!services.custom_actions) return unavailable();
  return proposed(services.custom_actions->propose_delete(
      request.path_params["id"], actor_of(request), std::chrono::system_clock::now()));
}

HttpResponse handle_list_catalog_proposals(ApiServices& services, ApiRequest& request) {
  QueryParams query(request.query);
  std::optional<ProposalStatus> status = ProposalStatus::kPending;
  const auto wanted = query.text("status");
  if (wanted == "all") {
    status.reset();
  } else if (!wanted.empty()) {
    status = parse_proposal_status(wanted);
    if (!status) {
      return error_response(http::status::bad_request, "invalid_request",
                            "`status` must be pending, activated, rejected, withdrawn or all");
    }
  }
  auto limit = query.integer("limit", 100, 1, 500);
  if (!limit) return error_response(limit.error());
  auto list =
      services.store.read().catalog().list_catalog_proposals(status, static_cast<int>(*limit));
  if (!list) return error_response(list.error());
  auto items = nlohmann::json::array();
  for (const auto& p : *list) items.push_back(proposal_json(p));
  return json_response(http::status::ok, {{"items", items}});
}

HttpResponse handle_get_catalog_proposal(ApiServices& services, ApiRequest& request) {
  auto id = numeric_path_param(request, "id", "catalog proposal");
  if (!id) return error_response(id.error());
  auto found = services.store.read().catalog().find_catalog_proposal(*id);
  if (!found) return error_response(found.error());
  if (!*found) return error_response(http::status::not_found, "not_found", "no such proposal");
  auto j = proposal_json(**found);
  // The definition the change replaces or deletes, so a reviewer sees both.
  j["current_definition"] = nullptr;
  if ((*found)->change != CatalogChange::kCreate) {
    auto current = services.store.read().catalog().find_custom_action((*found)->action_id);
    if (!current) return error_response(current.error());
    if (*current) j["current_definition"] = (*current)->definition;
  }
  return json_response(http::status::ok, j);
}

HttpResponse handle_approve_catalog_proposal(ApiServices& services, ApiRequest& request) {
  if (!services.custom_actions) return unavailable();
  auto id = numeric_path_param(request, "id", "catalog proposal");
  if (!id) return error_response(id.error());
  auto p =
      services.custom_actions->approve(*id, actor_of(request), std::chrono::system_clock::now());
  if (!p) return error_response(p.error());
  return json_response(http::status::ok, proposal_json(*p));
}

HttpResponse handle_reject_catalog_proposal(ApiServices& services, ApiRequest& request) {
  if (!services.custom_actions) return unavailable();
  auto id = numeric_path_param(request, "id", "catalog proposal");
  if (!id) return error_response(id.error());
  std::string reason;
  if (!request.http.body().empty()) {
    auto body = parse_json_body(request.http);
    if (!body) return error_response(body.error());
    if (auto r = reject_unknown_fields(*body, {"reason"}); !r) return error_response(r.error());
    auto text = optional_string(*body, "reason");
    if (!text) return error_response(text.error());
    if (*text) reason = std::move(**text);
  }
  if (reason.size() > kMaxReasonBytes) {
    return error_response(http::status::bad_request, "invalid_request",
                          "`reason` is longer than " + std::to_string(kMaxReasonBytes) + " bytes");
  }
  auto p = services.custom_actions->reject(*id, actor_of(request), reason,
                                           std::chrono::system_clock::now());
  if (!p) return error_response(p.error());
  return json_response(http::status::ok, proposal_json(*p));
}

}  // namespace triage::collector
