#pragma once
// The generic outbound webhook: an HTTPS POST of the event's JSON, signed with the
// subscription's secret (see webhook_signature.hpp), verified against the system trust store
// plus an optional extra CA, with connect and request timeouts and a cap on the answer.

#include <chrono>
#include <optional>
#include <string>

#include "collector/integrations/connector.hpp"
#include "collector/integrations/credential_cipher.hpp"
#include "shared/transport/tls_context.hpp"

namespace triage::collector {

inline constexpr std::string_view kWebhookConnector = "webhook";

struct WebhookSettings {
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds request_timeout{10'000};
  /// Bytes of the receiver's answer read at most (the rest is not read; the status counts).
  std::size_t max_response_bytes = 64 * 1024;
};

/// What an HTTP status means for a delivery: 2xx delivered; 410 Gone failed and the
/// subscription deactivated; 400, 413, 415 and 422 failed (the receiver refuses this very
/// message; sending it again cannot help); anything else (3xx, 401, 403, 404, 408, 429, 5xx)
/// is retried, since it can be fixed on the receiving side.
DeliveryOutcome classify_webhook_status(int status, std::string_view body);

/// Checks a subscription URL: https only, a host, no user info or fragment, at most 2048
/// bytes of printable ASCII. kInvalid naming the problem.
Result<void> check_webhook_url(std::string_view url);

class WebhookConnector final : public Connector {
 public:
  /// `cipher` opens sealed signing secrets (null: secrets are stored in the clear).
  WebhookConnector(transport::SslContextPtr tls, WebhookSettings settings,
                   std::shared_ptr<const CredentialCipher> cipher = nullptr)
      : tls_(std::move(tls)), settings_(settings), cipher_(std::move(cipher)) {}

  std::string_view name() const override { return kWebhookConnector; }
  DeliveryOutcome deliver(const IntegrationTarget& target, const OutboxMessage& message,
                          TimePoint now) override;

 private:
  transport::SslContextPtr tls_;
  WebhookSettings settings_;
  std::shared_ptr<const CredentialCipher> cipher_;
};

}  // namespace triage::collector
