#pragma once
// Administration of webhook subscriptions (integration targets of the webhook connector):
// the rules a subscription must follow, its secret, redelivery and pings. Used by the REST
// handlers; storage stays behind the Store interface.

#include <optional>
#include <string>
#include <vector>

#include "collector/integrations/credential_cipher.hpp"
#include "collector/storage/store.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

inline constexpr std::size_t kMaxWebhooks = 100;

struct NewWebhook {
  std::string name;
  std::string url;
  std::vector<std::string> events;
  bool internal = false;
  bool active = true;
};

/// kInvalid unless `events` is 1..n known types without repeats, and internal-only types
/// come with `internal`.
Result<void> check_webhook_events(const std::vector<std::string>& events, bool internal);

/// Creates a subscription with a new secret, stored sealed with `cipher` (if any); the
/// returned target carries the secret in the clear (shown once). kInvalid for bad fields,
/// kConflict past kMaxWebhooks.
Result<IntegrationTarget> create_webhook(OutboxRepository& store, NewWebhook request,
                                         const std::string& actor, TimePoint now,
                                         const CredentialCipher* cipher = nullptr);

/// The webhook with this id (nullopt also for targets of other connectors).
Result<std::optional<IntegrationTarget>> find_webhook(OutboxReader& store, std::int64_t id);

/// Applies `update` after checking it against the subscription as it would be after. A new URL
/// keeps the signing secret, sealed again for it with `cipher` (credential_cipher.hpp).
Result<IntegrationTarget> update_webhook(OutboxRepository& store, std::int64_t id,
                                         const IntegrationTargetUpdate& update, TimePoint now,
                                         const CredentialCipher* cipher);

/// Enqueues a `ping` event for the webhook (active or not: it is sent once active).
Result<OutboxMessage> ping_webhook(OutboxRepository& store, std::int64_t id, TimePoint now);

}  // namespace triage::collector
