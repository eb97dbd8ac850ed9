#pragma once
// Ed25519 signatures over orders, probes, live views and the action catalog. Each kind of signed
// payload is bound to its own context string ("triage.v1.OrderPayload" + NUL + payload bytes), so a
// signature made for one kind can never be presented as another.

#include <string>
#include <string_view>

#include "shared/pki/openssl_ptr.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/live.pb.h"
#include "triage/v1/order.pb.h"
#include "triage/v1/probe.pb.h"

namespace triage::protocol {

inline constexpr std::string_view kOrderContext = "triage.v1.OrderPayload";
inline constexpr std::string_view kCatalogContext = "triage.v1.CatalogManifest";
inline constexpr std::string_view kProbeContext = "triage.v1.ProbePayload";
inline constexpr std::string_view kLiveContext = "triage.v1.LivePayload";

/// Serializes `payload` and signs it. `key_id` names the key (pki::public_key_id).
Result<v1::SignedOrder> sign_order(EVP_PKEY* key, const std::string& key_id,
                                   const v1::OrderPayload& payload);
Result<v1::SignedCatalog> sign_catalog(EVP_PKEY* key, const std::string& key_id,
                                       const v1::CatalogManifest& manifest);
Result<v1::SignedProbe> sign_probe(EVP_PKEY* key, const std::string& key_id,
                                   const v1::ProbePayload& payload);

Result<v1::SignedLiveStart> sign_live_start(EVP_PKEY* key, const std::string& key_id,
                                            const v1::LivePayload& payload);

/// True when `signature` is `key`'s signature of `payload` under `context`. Fails closed.
bool verify_payload(EVP_PKEY* key, std::string_view context, std::string_view payload,
                    std::string_view signature);

}  // namespace triage::protocol
