#pragma once
// Administration of Request Tracker connectors (integration targets of the `rt` connector):
// what a configuration must hold, and the JSON settings it is stored with. Credentials are
// given in the clear and stored sealed (target_credentials.hpp); they are never read back out.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "collector/integrations/credential_cipher.hpp"
#include "collector/storage/store.hpp"

namespace triage::collector {

inline constexpr std::size_t kMaxRtConnectors = 20;

/// The event types an RT connector may push (as internal comments, or ticket creation).
const std::vector<std::string>& rt_event_types();
/// What a new RT connector pushes when `events` is not given.
std::vector<std::string> default_rt_events();

struct RtConnectorFields {
  std::optional<std::string> name;
  std::optional<std::string> url;
  std::optional<std::string> queue;   ///< RT queue for tickets opened from help requests
  std::optional<std::string> system;  ///< the external system name linked tickets carry
  std::optional<std::vector<std::string>> events;
  std::optional<bool> create_tickets;
  std::optional<bool> poll_status;
  std::optional<bool> active;
  std::optional<std::string> credentials;  ///< JSON text: {"token"} or {"username","password"}
};

/// Creates an RT connector. kInvalid naming the bad field (url, credentials, events, queue,
/// system), kConflict past kMaxRtConnectors or when another connector uses `system`. Pass
/// `tx.outbox()` of a write transaction: the checks and the insert are then one atomic step.
Result<IntegrationTarget> create_rt_connector(OutboxRepository& store,
                                              const RtConnectorFields& fields,
                                              const std::string& actor, TimePoint now,
                                              const CredentialCipher* cipher);

/// The RT connector with this id (nullopt also for targets of other connectors).
Result<std::optional<IntegrationTarget>> find_rt_connector(OutboxReader& store, std::int64_t id);

/// Applies the given fields after checking the connector as it would be after (atomically
/// when `store` is `tx.outbox()` of a write transaction).
Result<IntegrationTarget> update_rt_connector(OutboxRepository& store, std::int64_t id,
                                              const RtConnectorFields& fields, TimePoint now,
                                              const CredentialCipher* cipher);

/// The external system name of an RT connector (its `system` setting).
std::string rt_system(const IntegrationTarget& target);

}  // namespace triage::collector
