#pragma once
// Builds the signed form of an order: the OrderPayload the agent verifies (resolved argv,
// definition hash, requester and approver, a short expiry, a fresh 32-byte nonce) and its
// Ed25519 signature with the collector's order-signing key.

#include <chrono>
#include <string>

#include "collector/actions/action_definition.hpp"
#include "collector/storage/order_records.hpp"
#include "shared/pki/openssl_ptr.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/order.pb.h"

namespace triage::collector {

/// Bytes of randomness in every order's nonce.
inline constexpr std::size_t kOrderNonceBytes = 32;

class OrderSigner {
 public:
  /// `key` (Ed25519) must outlive the signer.
  static Result<OrderSigner> create(EVP_PKEY* key);

  /// Signs `order` (argv already resolved) as issued at `now`, valid for `ttl`. Sets the
  /// order's expires_at and signed_order.
  Result<void> sign(Order& order, const ActionDefinition& def, TimePoint now,
                    std::chrono::seconds ttl) const;
  /// The catalog manifest, signed.
  Result<v1::SignedCatalog> sign_catalog(const v1::CatalogManifest& manifest) const;

  const std::string& key_id() const { return key_id_; }

 private:
  OrderSigner(EVP_PKEY* key, std::string key_id) : key_(key), key_id_(std::move(key_id)) {}
  EVP_PKEY* key_;
  std::string key_id_;
};

}  // namespace triage::collector
