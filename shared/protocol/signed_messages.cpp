#include "shared/protocol/signed_messages.hpp"

#include "shared/pki/signatures.hpp"

namespace triage::protocol {

namespace {

std::string signed_bytes(std::string_view context, std::string_view payload) {
  std::string out;
  out.reserve(context.size() + 1 + payload.size());
  out.append(context);
  out.push_back('\0');
  out.append(payload);
  return out;
}

}  // namespace

Result<v1::SignedOrder> sign_order(EVP_PKEY* key, const std::string& key_id,
                                   const v1::OrderPayload& payload) {
  v1::SignedOrder out;
  if (!payload.SerializeToString(out.mutable_payload())) return fail("encoding the order");
  auto signature = pki::sign_ed25519(key, signed_bytes(kOrderContext, out.payload()));
  if (!signature) return tl::unexpected(signature.error());
  out.set_signature(std::move(*signature));
  out.set_key_id(key_id);
  return out;
}

Result<v1::SignedCatalog> sign_catalog(EVP_PKEY* key, const std::string& key_id,
                                       const v1::CatalogManifest& manifest) {
  v1::SignedCatalog out;
  if (!manifest.SerializeToString(out.mutable_payload())) return fail("encoding the catalog");
  auto signature = pki::sign_ed25519(key, signed_bytes(kCatalogContext, out.payload()));
  if (!signature) return tl::unexpected(signature.error());
  out.set_signature(std::move(*signature));
  out.set_key_id(key_id);
  return out;
}

Result<v1::SignedProbe> sign_probe(EVP_PKEY* key, const std::string& key_id,
                                   const v1::ProbePayload& payload) {
  v1::SignedProbe out;
  if (!payload.SerializeToString(out.mutable_payload())) return fail("encoding the probe");
  auto signature = pki::sign_ed25519(key, signed_bytes(kProbeContext, out.payload()));
  if (!signature) return tl::unexpected(signature.error());
  out.set_signature(std::move(*signature));
  out.set_key_id(key_id);
  return out;
}

Result<v1::SignedLiveStart> sign_live_start(EVP_PKEY* key, const std::string& key_id,
                                            const v1::LivePayload& payload) {
  v1::SignedLiveStart out;
  if (!payload.SerializeToString(out.mutable_payload())) return fail("encoding the live start");
  auto signature = pki::sign_ed25519(key, signed_bytes(kLiveContext, out.payload()));
  if (!signature) return tl::unexpected(signature.error());
  out.set_signature(std::move(*signature));
  out.set_key_id(key_id);
  return out;
}

bool verify_payload(EVP_PKEY* key, std::string_view context, std::string_view payload,
                    std::string_view signature) {
  return pki::verify_ed25519(key, signed_bytes(context, payload), signature);
}

}  // namespace triage::protocol
