// Signing of outbound webhooks: the HMAC itself (RFC 4231 vectors), the header format, what a
// receiver's check accepts and refuses, and the secrets the collector generates.

#include <catch2/catch.hpp>

#include "collector/integrations/webhook_signature.hpp"

using namespace triage::collector;

TEST_CASE("HMAC-SHA256 matches RFC 4231") {
  // Test case 2.
  CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 1: key 0x0b * 20, "Hi There".
  CHECK(hmac_sha256_hex(std::string(20, '\x0b'), "Hi There") ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST_CASE("the signature covers timestamp and body") {
  const std::string secret = "whsec_test";
  const std::string body = R"({"id":"e1","type":"ticket.created"})";
  const auto sig = webhook_signature(secret, 1700000000, body);
  CHECK(sig == "sha256=" + hmac_sha256_hex(secret, "1700000000." + body));
  CHECK(sig.size() == 7 + 64);
  CHECK(verify_webhook_signature(secret, 1700000000, body, sig));
  // Replayed with another timestamp, altered body, other secret: refused.
  CHECK_FALSE(verify_webhook_signature(secret, 1700000001, body, sig));
  CHECK_FALSE(verify_webhook_signature(secret, 1700000000, body + " ", sig));
  CHECK_FALSE(verify_webhook_signature("whsec_other", 1700000000, body, sig));
  CHECK_FALSE(verify_webhook_signature(secret, 1700000000, body, ""));
}

TEST_CASE("generated secrets are long, prefixed and different") {
  const auto a = generate_webhook_secret();
  const auto b = generate_webhook_secret();
  CHECK(a.rfind("whsec_", 0) == 0);
  CHECK(a.size() == 6 + 43);  // 32 random bytes, base64url without padding
  CHECK(a != b);
}
