#include "agent/actions/order_content.hpp"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "agent/actions/unit_guard.hpp"
#include "agent/actions/windows_process_guard.hpp"
#include "agent/actions/windows_service_guard.hpp"
#include "agent/actions/windows_shell_guard.hpp"
#include "shared/actions/action_params.hpp"
#include "shared/actions/builtin_actions.hpp"
#include "shared/pki/secrets.hpp"

namespace triage::agent {

namespace {

tl::unexpected<Error> refuse(std::string reason) {
  return fail(ErrorCode::kDenied, std::move(reason));
}

v1::Risk proto_risk(actions::ActionRisk risk) {
  switch (risk) {
    case actions::ActionRisk::kLow:
      return v1::RISK_LOW;
    case actions::ActionRisk::kMedium:
      return v1::RISK_MEDIUM;
    case actions::ActionRisk::kHigh:
      return v1::RISK_HIGH;
  }
  return v1::RISK_HIGH;
}

bool same_argv(const google::protobuf::RepeatedPtrField<std::string>& got,
               const std::vector<std::string>& want) {
  return std::equal(got.begin(), got.end(), want.begin(), want.end());
}

/// The definition an order is judged against: ours for a built-in id, else the pinned file.
Result<actions::ActionDefinition> local_definition(const v1::OrderPayload& p,
                                                   const ActionPolicy& policy) {
  if (const auto* builtin = actions::find_builtin_action(p.action_id())) return *builtin;
  const std::string id = p.action_id().substr(0, 64);
  const std::string hex = pki::to_hex(p.definition_sha256());
  if (!policy.pins_custom(hex)) {
    return refuse("custom action " + id + " (sha256:" + hex.substr(0, 64) +
                  ") is not pinned by this endpoint's local policy (policy.allow_custom)");
  }
  if (p.definition().empty()) {
    return refuse("custom action " + id + " arrived without its definition file");
  }
  if (!pki::constant_time_equal(pki::sha256_raw(p.definition()), p.definition_sha256())) {
    return refuse("the definition file sent with custom action " + id +
                  " does not have the hash the order names");
  }
  auto def = actions::parse_action_definition(p.definition(), "custom action " + id);
  if (!def) return refuse("custom action " + id + ": " + def.error().message);
  if (def->id != p.action_id()) {
    return refuse("the definition file sent with custom action " + id + " defines " + def->id);
  }
  return def;
}

}  // namespace

Result<void> check_order_content(const v1::OrderPayload& p, const ActionPolicy& policy) {
  auto def = local_definition(p, policy);
  if (!def) return tl::unexpected(def.error());
  const std::string& id = def->id;
  std::vector<std::pair<std::string, std::string>> given;
  for (const auto& param : p.params()) given.emplace_back(param.name(), param.value());
  auto values = actions::validate_param_texts(*def, given);
  if (!values) {
    return refuse("parameters of action " + id +
                  " do not validate on this endpoint: " + values.error().message);
  }
  if (!same_argv(p.argv(), actions::resolve_argv(def->argv, *values))) {
    return refuse("argv of action " + id +
                  " is not what this endpoint's definition of it renders; refused as forged");
  }
  const bool has_check = p.has_post_check() && !p.post_check().argv().empty();
  if (def->post_check.has_value() != has_check ||
      (has_check &&
       (!same_argv(p.post_check().argv(), actions::resolve_argv(def->post_check->argv, *values)) ||
        p.post_check().expect_exit_code() != def->post_check->expect_exit_code ||
        p.post_check().timeout_s() != def->post_check->timeout_s))) {
    return refuse("post-check of action " + id +
                  " is not what this endpoint's definition of it renders; refused as forged");
  }
  if (p.risk() != proto_risk(def->risk)) {
    return refuse("risk of action " + id +
                  " is not the risk this endpoint's definition gives it (" +
                  actions::action_risk_name(def->risk) + ")");
  }
  if (p.timeout_s() != def->timeout_s || p.output_cap_bytes() != def->output_cap_bytes ||
      p.platform() != def->platform) {
    return refuse("timeout, output cap or platform of action " + id +
                  " differ from this endpoint's definition of it");
  }
  // A built-in's own guard on what its parameters may reach (never a custom action of the same
  // id: a custom action cannot take a built-in's id here).
  if (def->source == "builtin" && id == "restart-service") {
    if (auto r = check_restartable_unit(values->at("unit")); !r) return r;
  }
  if (def->source == "builtin" && id == "restart-windows-service") {
    if (auto r = check_restartable_windows_service(values->at("service")); !r) return r;
  }
  if (def->source == "builtin" && id == "kill-process-windows") {
    if (auto r = check_killable_windows_image(values->at("name")); !r) return r;
  }
  if (def->source == "builtin" && id == "restart-explorer-windows") {
    if (auto r = parse_windows_account(values->at("user")); !r) return tl::unexpected(r.error());
  }
  return {};
}

}  // namespace triage::agent
