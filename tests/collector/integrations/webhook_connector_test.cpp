// What an HTTP answer means for a webhook delivery, and which subscription URLs are accepted.

#include <catch2/catch.hpp>

#include "collector/integrations/webhook_connector.hpp"

using namespace triage::collector;

TEST_CASE("HTTP status classification") {
  struct Case {
    int status;
    DeliveryResult result;
    bool disables;
  };
  auto c = GENERATE(
      Case{200, DeliveryResult::kDelivered, false}, Case{202, DeliveryResult::kDelivered, false},
      Case{204, DeliveryResult::kDelivered, false}, Case{301, DeliveryResult::kRetry, false},
      Case{400, DeliveryResult::kFailed, false}, Case{401, DeliveryResult::kRetry, false},
      Case{403, DeliveryResult::kRetry, false}, Case{404, DeliveryResult::kRetry, false},
      Case{408, DeliveryResult::kRetry, false}, Case{410, DeliveryResult::kFailed, true},
      Case{413, DeliveryResult::kFailed, false}, Case{422, DeliveryResult::kFailed, false},
      Case{429, DeliveryResult::kRetry, false}, Case{500, DeliveryResult::kRetry, false},
      Case{503, DeliveryResult::kRetry, false});
  INFO("HTTP " << c.status);
  auto outcome = classify_webhook_status(c.status, "");
  CHECK(outcome.result == c.result);
  CHECK(outcome.http_status == c.status);
  CHECK(outcome.disable_target.has_value() == c.disables);
}

TEST_CASE("the receiver's answer is logged short and printable") {
  auto outcome = classify_webhook_status(500, "boom\x1b[31m\n" + std::string(1000, 'x'));
  CHECK(outcome.detail.rfind("HTTP 500: boom", 0) == 0);
  CHECK(outcome.detail.find('\x1b') == std::string::npos);
  CHECK(outcome.detail.find('\n') == std::string::npos);
  CHECK(outcome.detail.size() < 300);
}

TEST_CASE("subscription URLs: https only, strict") {
  CHECK(check_webhook_url("https://hooks.example.com/triage"));
  CHECK(check_webhook_url("https://127.0.0.1:9443/in?token=abc"));
  CHECK(check_webhook_url("https://[::1]:9443/"));
  auto refused = [](const std::string& url, const std::string& mention) {
    auto r = check_webhook_url(url);
    INFO(url);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == triage::ErrorCode::kInvalid);
    CHECK_THAT(r.error().message, Catch::Contains(mention));
  };
  refused("http://hooks.example.com/", "https://");
  refused("ftp://x/", "https://");
  refused("https://user:pw@hooks.example.com/", "user info");
  refused("https://hooks.example.com/a#frag", "fragment");
  refused("https://hooks.example.com/a b", "printable");
  refused("https://hooks.example.com:99999/", "port");
  refused("https:///path", "host");
  refused("https://x/" + std::string(3000, 'a'), "2048");
  refused("", "2048");
}
