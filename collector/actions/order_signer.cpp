#include "collector/actions/order_signer.hpp"

#include "collector/actions/action_catalog.hpp"
#include "collector/actions/action_definition.hpp"
#include "shared/pki/keys.hpp"
#include "shared/pki/secrets.hpp"
#include "shared/protocol/signed_messages.hpp"

namespace triage::collector {

namespace {

std::int64_t unix_ms(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

Result<OrderSigner> OrderSigner::create(EVP_PKEY* key) {
  auto id = pki::public_key_id(key);
  if (!id) return fail("order-signing key", id.error());
  return OrderSigner(key, *id);
}

Result<void> OrderSigner::sign(Order& order, const ActionDefinition& def, TimePoint now,
                               std::chrono::seconds ttl) const {
  v1::OrderPayload p;
  p.set_order_id(order.id);
  p.set_device_id(order.device_id);
  p.set_action_id(def.id);
  p.set_action_version(def.version);
  p.set_definition_sha256(def.sha256_raw);
  if (def.source != "builtin") p.set_definition(def.text);
  for (const auto& a : order.argv) p.add_argv(a);
  ParamValues values;
  for (const auto& [name, value] : order.params.items()) {
    auto* param = p.add_params();
    param->set_name(name);
    param->set_value(value.is_string() ? value.get<std::string>() : value.dump());
    values[name] = param->value();
  }
  p.set_ticket_id(std::to_string(order.ticket_id));
  p.set_requested_by(order.requested_by);
  p.set_approved_by(order.approved_by);
  const auto expires = now + ttl;
  p.set_issued_at_unix_ms(unix_ms(now));
  p.set_expires_at_unix_ms(unix_ms(expires));
  p.set_nonce(pki::random_bytes(kOrderNonceBytes));
  p.set_risk(to_proto_risk(def.risk));
  p.set_timeout_s(def.timeout_s);
  p.set_output_cap_bytes(def.output_cap_bytes);
  p.set_platform(def.platform);
  if (def.post_check) {
    auto* check = p.mutable_post_check();
    for (const auto& a : resolve_argv(def.post_check->argv, values)) check->add_argv(a);
    check->set_expect_exit_code(def.post_check->expect_exit_code);
    check->set_timeout_s(def.post_check->timeout_s);
  }
  auto signed_order = protocol::sign_order(key_, key_id_, p);
  if (!signed_order) return fail("signing order " + order.id, signed_order.error());
  if (!signed_order->SerializeToString(&order.signed_order)) return fail("encoding the order");
  order.expires_at = expires;
  return {};
}

Result<v1::SignedCatalog> OrderSigner::sign_catalog(const v1::CatalogManifest& manifest) const {
  return protocol::sign_catalog(key_, key_id_, manifest);
}

}  // namespace triage::collector
