#include "collector/integrations/webhook_connector.hpp"

#include <algorithm>

#include "collector/integrations/webhook_signature.hpp"
#include "shared/transport/https_client.hpp"
#include "shared/transport/url.hpp"

namespace triage::collector {

namespace http = transport::http;

namespace {

constexpr std::size_t kMaxUrlBytes = 2048;
constexpr std::size_t kDetailBytes = 200;

// The receiver's words go into the delivery log: printable ASCII only, bounded.
std::string printable_excerpt(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, kDetailBytes)) {
    out += (c >= 0x20 && c < 0x7f) ? c : ' ';
  }
  return out;
}

}  // namespace

DeliveryOutcome classify_webhook_status(int status, std::string_view body) {
  DeliveryOutcome outcome;
  outcome.http_status = status;
  if (status >= 200 && status < 300) {
    outcome.result = DeliveryResult::kDelivered;
    return outcome;
  }
  outcome.detail = "HTTP " + std::to_string(status);
  if (auto excerpt = printable_excerpt(body); !excerpt.empty()) outcome.detail += ": " + excerpt;
  if (status == 410) {
    outcome.result = DeliveryResult::kFailed;
    outcome.disable_target = "the receiver answered 410 Gone";
  } else if (status == 400 || status == 413 || status == 415 || status == 422) {
    outcome.result = DeliveryResult::kFailed;
  } else {
    outcome.result = DeliveryResult::kRetry;
  }
  return outcome;
}

Result<void> check_webhook_url(std::string_view url) {
  if (url.empty() || url.size() > kMaxUrlBytes) {
    return fail(ErrorCode::kInvalid, "`url` must be 1-2048 bytes");
  }
  if (!std::all_of(url.begin(), url.end(), [](char c) { return c > 0x20 && c < 0x7f; })) {
    return fail(ErrorCode::kInvalid, "`url` must be printable ASCII without spaces");
  }
  if (!url.starts_with("https://")) {
    return fail(ErrorCode::kInvalid,
                "`url` must start with https:// (deliveries carry ticket data; plain HTTP is "
                "refused)");
  }
  if (url.find('#') != std::string_view::npos) {
    return fail(ErrorCode::kInvalid, "`url` must not contain a fragment (#)");
  }
  auto parsed = transport::parse_url(url, "443");
  if (!parsed) return fail(ErrorCode::kInvalid, "`url`: " + parsed.error().message);
  return {};
}

DeliveryOutcome WebhookConnector::deliver(const IntegrationTarget& target,
                                          const OutboxMessage& message, TimePoint now) {
  DeliveryOutcome outcome;
  auto url = transport::parse_url(target.url, "443");
  if (!url) {
    outcome.result = DeliveryResult::kFailed;
    outcome.detail = url.error().message;
    return outcome;
  }
  const auto timestamp =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  transport::HttpRequest request{http::verb::post, url->path, 11};
  const bool ipv6 = url->host.find(':') != std::string::npos;
  std::string host = ipv6 ? "[" + url->host + "]" : url->host;
  if (url->port != "443") host += ":" + url->port;
  request.set(http::field::host, host);
  request.set(http::field::content_type, "application/json");
  request.set(http::field::user_agent, std::string("triage-collector/") + TRIAGE_VERSION);
  request.set("X-Triage-Event", message.event_type);
  request.set("X-Triage-Delivery", message.delivery_id);
  request.set("X-Triage-Timestamp", std::to_string(timestamp));
  auto secret = reveal_secret(target.secret, target.id, target.url, cipher_.get());
  if (!secret) {
    outcome.result = DeliveryResult::kRetry;
    outcome.detail = "signing secret: " + secret.error().message;
    return outcome;
  }
  request.set("X-Triage-Signature", webhook_signature(*secret, timestamp, message.payload));
  request.body() = message.payload;
  request.prepare_payload();

  transport::HttpsRequestOptions options;
  options.connect_timeout = settings_.connect_timeout;
  options.timeout = settings_.request_timeout;
  options.max_response_bytes = settings_.max_response_bytes;
  options.truncate_oversized_body = true;
  auto response =
      transport::https_request(*tls_, url->host, url->port, std::move(request), options);
  if (!response) {
    outcome.result = DeliveryResult::kRetry;
    outcome.detail = printable_excerpt(response.error().message);
    return outcome;
  }
  return classify_webhook_status(response->result_int(), response->body());
}

}  // namespace triage::collector
