#pragma once
// Everything the agent checks before it runs an order, as pure functions: the Ed25519
// signature with the key pinned at enrollment, the device id, the validity window (with a
// small clock-skew allowance), the nonce's shape, the argv's shape, the action and its
// definition hash against the signed catalog, the endpoint owner's local policy, and last
// that the order runs exactly what this endpoint's own definition of the action renders
// (order_content.hpp). Each
// refusal is an Error whose message is the reason reported to the collector. The nonce's
// novelty is checked against the journal afterwards (ActionJournal::remember_nonce).

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "agent/actions/action_policy.hpp"
#include "agent/actions/signed_request.hpp"
#include "shared/pki/openssl_ptr.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/order.pb.h"

namespace triage::agent {

/// An action the collector's signed catalog lists.
struct CatalogEntryInfo {
  std::uint32_t version = 0;
  std::string definition_sha256;  ///< raw 32 bytes
  v1::Risk risk = v1::RISK_UNSPECIFIED;
};

/// The newest catalog the agent accepted.
struct AcceptedCatalog {
  std::int64_t issued_at_unix_ms = 0;
  std::map<std::string, CatalogEntryInfo> entries;
};

/// Verifies a signed catalog; refuses one older than `newer_than_unix_ms` (a replayed one).
Result<AcceptedCatalog> verify_catalog(const v1::SignedCatalog& signed_catalog,
                                       EVP_PKEY* pinned_key, std::int64_t newer_than_unix_ms);

struct OrderChecks {
  EVP_PKEY* pinned_key = nullptr;  ///< null: no key pinned, every order is refused
  std::string device_id;
  std::int64_t now_unix_ms = 0;
  std::int64_t clock_skew_ms = 60'000;
  const AcceptedCatalog* catalog = nullptr;  ///< null: none received yet
  const ActionPolicy* policy = nullptr;
  /// The platform this agent runs on (agent_platform()); an order for another is refused.
  std::string platform;
};

/// Limits an order must respect whatever the collector says.
inline constexpr std::uint32_t kMaxOrderTimeoutS = 3600;
inline constexpr std::uint32_t kMaxPostCheckTimeoutS = 600;
inline constexpr std::uint64_t kMaxOrderOutputCap = 4 * 1024 * 1024;

/// The verified payload, or kDenied with the reason.
Result<v1::OrderPayload> verify_order(const v1::SignedOrder& order, const OrderChecks& checks);

/// The payload when its signature holds for `pinned_key` (whatever else is wrong with it), so
/// a refusal of a signed order can record what it asked for; nullopt otherwise.
std::optional<v1::OrderPayload> signed_payload(const v1::SignedOrder& order, EVP_PKEY* pinned_key);

/// The order id a payload claims, unverified (to address a refusal); "" when unreadable.
std::string claimed_order_id(const v1::SignedOrder& order);

/// The local policy's view of a protocol risk; nullopt for an unknown risk.
std::optional<ActionRisk> to_action_risk(v1::Risk risk);

}  // namespace triage::agent
