// Integration credentials at rest: AES-256-GCM bound to the target and its URL, under a 0600
// key file. Wrong key, tampered ciphertext, another target's AAD and a URL changed behind the
// API's back fail cleanly (an error, no bytes); an older collector's seals still open and are
// sealed again, bound to the URL, at start.

#include <sys/stat.h>

#include <fstream>

#include <catch2/catch.hpp>

#include "collector/integrations/credential_cipher.hpp"
#include "collector/integrations/target_credentials.hpp"
#include "collector/storage/sqlite/sqlite_store.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage::collector;
using triage::ErrorCode;

namespace {

constexpr const char* kUrl = "https://rt.example.com/rt";

CredentialCipher cipher_of(char fill) {
  auto c = CredentialCipher::from_key(std::string(32, fill));
  REQUIRE(c);
  return std::move(*c);
}

}  // namespace

TEST_CASE("a sealed credential opens with the same key and target only") {
  const auto cipher = cipher_of('k');
  const std::string secret = R"({"username":"triage","password":"s3cret"})";
  const auto sealed = cipher.seal(secret, target_aad(5, kUrl));
  CHECK(is_sealed(sealed));
  CHECK(sealed.find("s3cret") == std::string::npos);
  CHECK(sealed.find(cipher.key_id()) != std::string::npos);
  // A fresh nonce each time: the same secret never seals to the same text.
  CHECK(cipher.seal(secret, target_aad(5, kUrl)) != sealed);

  auto opened = cipher.open(sealed, target_aad(5, kUrl));
  REQUIRE(opened);
  CHECK(*opened == secret);

  SECTION("another target's AAD") {
    auto r = cipher.open(sealed, target_aad(6, kUrl));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kDenied);
  }
  SECTION("another key") {
    auto r = cipher_of('x').open(sealed, target_aad(5, kUrl));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kDenied);
  }
  SECTION("another key with a forged key id") {
    auto other = cipher_of('x');
    std::string forged = sealed;
    forged.replace(kSealedPrefix.size(), 16, other.key_id());
    auto r = other.open(forged, target_aad(5, kUrl));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kDenied);
  }
  SECTION("any flipped character of the ciphertext or tag") {
    const auto body = sealed.find(':', kSealedPrefix.size()) + 1;
    for (std::size_t i = body; i + 2 < sealed.size(); i += 3) {
      std::string tampered = sealed;
      tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
      auto r = cipher.open(tampered, target_aad(5, kUrl));
      INFO("position " << i);
      CHECK_FALSE(r);
    }
  }
  SECTION("truncated and malformed text") {
    CHECK_FALSE(cipher.open(sealed.substr(0, sealed.size() - 8), target_aad(5, kUrl)));
    CHECK_FALSE(cipher.open("enc:v1:", target_aad(5, kUrl)));
    CHECK_FALSE(cipher.open("enc:v1:" + cipher.key_id() + ":!!!!", target_aad(5, kUrl)));
    auto clear = cipher.open("whsec_plain", target_aad(5, kUrl));
    REQUIRE_FALSE(clear);
    CHECK(clear.error().code == ErrorCode::kInvalid);
  }
}

TEST_CASE("reveal_secret passes legacy clear secrets and refuses sealed ones without a key") {
  const auto cipher = cipher_of('k');
  CHECK(*reveal_secret("whsec_legacy", 3, kUrl, &cipher) == "whsec_legacy");
  const auto sealed = cipher.seal("whsec_new", target_aad(3, kUrl));
  CHECK(sealed.starts_with("enc:v2:"));
  CHECK(*reveal_secret(sealed, 3, kUrl, &cipher) == "whsec_new");
  auto no_key = reveal_secret(sealed, 3, kUrl, nullptr);
  REQUIRE_FALSE(no_key);
  CHECK(no_key.error().code == ErrorCode::kUnavailable);
  CHECK_FALSE(reveal_secret(sealed, 4, kUrl, &cipher));
}

TEST_CASE("a credential is bound to its target's URL: moved without it, it does not decrypt") {
  const auto cipher = cipher_of('k');
  const auto sealed = cipher.seal("rt-password", target_aad(3, kUrl));
  auto moved = reveal_secret(sealed, 3, "https://attacker.example/rt", &cipher);
  REQUIRE_FALSE(moved);
  CHECK(moved.error().code == ErrorCode::kDenied);
  CHECK_THAT(moved.error().message, Catch::Contains("URL changed"));
  // No split of the same bytes between id and URL names the same target.
  CHECK(target_aad(1, "2") != target_aad(12, ""));
}

TEST_CASE("an older collector's credentials still open and are sealed again bound to the URL") {
  triage::testing::TempDir dir;
  auto store = std::move(*SqliteStore::open((dir.path() / "c.db").string()));
  const auto cipher = cipher_of('k');
  const auto now = std::chrono::system_clock::now();
  auto add = [&](const std::string& url) {
    IntegrationTarget t;
    t.connector = "rt";
    t.name = "rt " + url;
    t.url = url;
    t.event_types = {"ticket.diagnostics"};
    t.created_at = t.updated_at = now;
    auto id = store->write([&](WriteTx& tx) { return tx.outbox().insert_integration_target(t); });
    REQUIRE(id);
    return *id;
  };
  // Sealed as an older collector did ("enc:v1:", bound to the id only), and one in the clear.
  const auto old_id = add("https://rt.example.com/rt");
  std::string legacy = cipher.seal("{\"token\":\"t1\"}", legacy_target_aad(old_id));
  legacy.replace(0, kSealedPrefix.size(), kLegacySealedPrefix);
  IntegrationTargetUpdate u;
  u.secret = legacy;
  REQUIRE(store->write(
      [&](WriteTx& tx) { return tx.outbox().update_integration_target(old_id, u, now); }));
  CHECK(*reveal_secret(legacy, old_id, "https://rt.example.com/rt", &cipher) ==
        "{\"token\":\"t1\"}");
  const auto clear_id = add("https://rt2.example.com/rt");
  u.secret = "{\"token\":\"t2\"}";
  REQUIRE(store->write(
      [&](WriteTx& tx) { return tx.outbox().update_integration_target(clear_id, u, now); }));

  auto sealed =
      store->write([&](WriteTx& tx) { return seal_stored_secrets(tx.outbox(), cipher, now); });
  REQUIRE(sealed);
  CHECK(*sealed == 2);
  const auto upgraded = (*store->read().outbox().find_integration_target(old_id))->secret;
  CHECK(upgraded.starts_with("enc:v2:"));
  CHECK(*reveal_secret(upgraded, old_id, "https://rt.example.com/rt", &cipher) ==
        "{\"token\":\"t1\"}");
  CHECK_FALSE(reveal_secret(upgraded, old_id, "https://other.example.com/rt", &cipher));
  const auto was_clear = (*store->read().outbox().find_integration_target(clear_id))->secret;
  CHECK(*reveal_secret(was_clear, clear_id, "https://rt2.example.com/rt", &cipher) ==
        "{\"token\":\"t2\"}");
  // Nothing left to do at the next start.
  CHECK(*store->write([&](WriteTx& tx) { return seal_stored_secrets(tx.outbox(), cipher, now); }) ==
        0);
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
  const auto sealed = first->seal("x", target_aad(1, kUrl));
  CHECK(*again->open(sealed, target_aad(1, kUrl)) == "x");

  ::chmod(path.c_str(), 0644);
  auto loose = CredentialCipher::load_or_create(path);
  REQUIRE_FALSE(loose);
  CHECK(loose.error().code == ErrorCode::kDenied);

  const auto bad = dir.path() / "bad.key";
  { std::ofstream(bad) << "not hex\n"; }
  ::chmod(bad.c_str(), 0600);
  CHECK_FALSE(CredentialCipher::load_or_create(bad));
}
