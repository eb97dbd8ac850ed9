// Integration credentials at rest: AES-256-GCM bound to the target, under a 0600 key file.
// Wrong key, tampered ciphertext and another target's AAD fail cleanly (an error, no bytes).

#include <sys/stat.h>

#include <fstream>

#include <catch2/catch.hpp>

#include "collector/integrations/credential_cipher.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage::collector;
using triage::ErrorCode;

namespace {

CredentialCipher cipher_of(char fill) {
  auto c = CredentialCipher::from_key(std::string(32, fill));
  REQUIRE(c);
  return std::move(*c);
}

}  // namespace

TEST_CASE("a sealed credential opens with the same key and target only") {
  const auto cipher = cipher_of('k');
  const std::string secret = R"({"username":"triage","password":"s3cret"})";
  const auto sealed = cipher.seal(secret, target_aad(5));
  CHECK(is_sealed(sealed));
  CHECK(sealed.find("s3cret") == std::string::npos);
  CHECK(sealed.find(cipher.key_id()) != std::string::npos);
  // A fresh nonce each time: the same secret never seals to the same text.
  CHECK(cipher.seal(secret, target_aad(5)) != sealed);

  auto opened = cipher.open(sealed, target_aad(5));
  REQUIRE(opened);
  CHECK(*opened == secret);

  SECTION("another target's AAD") {
    auto r = cipher.open(sealed, target_aad(6));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kDenied);
  }
  SECTION("another key") {
    auto r = cipher_of('x').open(sealed, target_aad(5));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kDenied);
  }
  SECTION("another key with a forged key id") {
    auto other = cipher_of('x');
    std::string forged = sealed;
    forged.replace(kSealedPrefix.size(), 16, other.key_id());
    auto r = other.open(forged, target_aad(5));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kDenied);
  }
  SECTION("any flipped character of the ciphertext or tag") {
    const auto body = sealed.find(':', kSealedPrefix.size()) + 1;
    for (std::size_t i = body; i + 2 < sealed.size(); i += 3) {
      std::string tampered = sealed;
      tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
      auto r = cipher.open(tampered, target_aad(5));
      INFO("position " << i);
      CHECK_FALSE(r);
    }
  }
  SECTION("truncated and malformed text") {
    CHECK_FALSE(cipher.open(sealed.substr(0, sealed.size() - 8), target_aad(5)));
    CHECK_FALSE(cipher.open("enc:v1:", target_aad(5)));
    CHECK_FALSE(cipher.open("enc:v1:" + cipher.key_id() + ":!!!!", target_aad(5)));
    auto clear = cipher.open("whsec_plain", target_aad(5));
    REQUIRE_FALSE(clear);
    CHECK(clear.error().code == ErrorCode::kInvalid);
  }
}

TEST_CASE("reveal_secret passes legacy clear secrets and refuses sealed ones without a key") {
  const auto cipher = cipher_of('k');
  CHECK(*reveal_secret("whsec_legacy", 3, &cipher) == "whsec_legacy");
  const auto sealed = cipher.seal("whsec_new", target_aad(3));
  CHECK(*reveal_secret(sealed, 3, &cipher) == "whsec_new");
  auto no_key = reveal_secret(sealed, 3, nullptr);
  REQUIRE_FALSE(no_key);
  CHECK(no_key.error().code == ErrorCode::kUnavailable);
  CHECK_FALSE(reveal_secret(sealed, 4, &cipher));
}

TEST_CASE("the key file is created 0600 once and reused, and a readable one is refused") {
  triage::testing::TempDir dir;
  const auto path = dir.path() / "integrations.key";
  auto first = CredentialCipher::load_or_create(path);
  REQUIRE(first);
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto again = CredentialCipher::load_or_create(path);
  REQUIRE(again);
  CHECK(again->key_id() == first->key_id());
  const auto sealed = first->seal("x", target_aad(1));
  CHECK(*again->open(sealed, target_aad(1)) == "x");

  ::chmod(path.c_str(), 0644);
  auto loose = CredentialCipher::load_or_create(path);
  REQUIRE_FALSE(loose);
  CHECK(loose.error().code == ErrorCode::kDenied);

  const auto bad = dir.path() / "bad.key";
  { std::ofstream(bad) << "not hex\n"; }
  ::chmod(bad.c_str(), 0600);
  CHECK_FALSE(CredentialCipher::load_or_create(bad));
}
