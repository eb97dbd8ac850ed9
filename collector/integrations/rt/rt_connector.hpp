#pragma once
// The Request Tracker 5 connector: delivers the outbox messages of an RT target as internal
// comments on the linked RT ticket (never correspondence, which would reach the requester),
// with the diagnostics snapshot and findings attached, and opens RT tickets for endpoint help
// requests when the target is set to. A retried delivery first looks for its own comment in
// the ticket (the delivery id is in the comment's subject), so a comment whose answer was lost
// is not posted twice.

#include <memory>

#include "collector/integrations/connector.hpp"
#include "collector/integrations/credential_cipher.hpp"
#include "collector/integrations/rt/rt_client.hpp"
#include "collector/storage/store.hpp"
#include "collector/tickets/outbox_planner.hpp"

namespace triage::collector {

inline constexpr std::string_view kRtConnector = "rt";

/// The RT client for `target` (its URL and decrypted credentials).
Result<RtClient> rt_client_for(const IntegrationTarget& target, const CredentialCipher* cipher,
                               transport::SslContextPtr tls, const RtSettings& settings);

/// What an RT failure means for a delivery.
DeliveryOutcome rt_outcome(const RtFailure& failure);

class RtConnector final : public Connector {
 public:
  /// `outbox` (may be null: nothing planned) enqueues what the link to a ticket created in RT
  /// causes.
  RtConnector(Store& store, transport::SslContextPtr tls, RtSettings settings,
              std::shared_ptr<const CredentialCipher> cipher, OutboxPlanner* outbox = nullptr)
      : store_(store),
        tls_(std::move(tls)),
        settings_(settings),
        cipher_(std::move(cipher)),
        outbox_(outbox) {}

  std::string_view name() const override { return kRtConnector; }
  DeliveryOutcome deliver(const IntegrationTarget& target, const OutboxMessage& message,
                          TimePoint now) override;

 private:
  DeliveryOutcome create_ticket(RtClient& client, const IntegrationTarget& target,
                                const OutboxMessage& message, TimePoint now);

  Store& store_;
  transport::SslContextPtr tls_;
  RtSettings settings_;
  std::shared_ptr<const CredentialCipher> cipher_;
  OutboxPlanner* outbox_;
};

}  // namespace triage::collector
