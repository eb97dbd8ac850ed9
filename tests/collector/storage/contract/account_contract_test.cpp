// The storage contract, local accounts: an admin's password reset, second factors (TOTP and
// recovery codes). Runs against every backend in TRIAGE_STORAGE_BACKENDS.

#include <catch2/catch.hpp>

#include "tests/collector/storage/contract/contract_fixtures.hpp"
#include "tests/collector/storage/contract/storage_backends.hpp"

using namespace triage;
using namespace triage::collector;
using namespace triage::collector::contract;

namespace {

ApiSession session_of(std::int64_t user_id, const std::string& hash) {
  ApiSession session;
  session.token_hash = hash;
  session.user_id = user_id;
  session.created_at = at(0);
  session.expires_at = at(1000);
  return session;
}

}  // namespace

TEMPLATE_TEST_CASE("storage contract: an admin's reset ends every session and keeps API tokens",
                   "[storage][contract][auth]", TRIAGE_STORAGE_BACKENDS) {
  TestType backend;
  auto store = backend.open();
  auto id = store->write([](WriteTx& tx) { return tx.auth().insert_user(user("alice")); });
  REQUIRE(id);
  for (const char* hash : {"s1", "s2"}) {
    REQUIRE(
        store->write([&](WriteTx& tx) { return tx.auth().insert_session(session_of(*id, hash)); }));
  }
  ApiToken token;
  token.id = "k1";
  token.token_hash = "th1";
  token.user_id = *id;
  token.name = "ci";
  token.created_at = at(0);
  token.expires_at = at(1000);
  REQUIRE(store->write([&](WriteTx& tx) { return tx.auth().insert_api_token(token); }));

  REQUIRE(store->write([&](WriteTx& tx) { return tx.auth().reset_password(*id, "temporary"); }));
  auto after = store->read().auth().find_user(*id).value();
  REQUIRE(after);
  CHECK(after->password_hash == "temporary");
  CHECK(after->must_change_password);
  CHECK_FALSE(store->read().auth().find_session("s1", at(1)).value());
  CHECK_FALSE(store->read().auth().find_session("s2", at(1)).value());
  auto kept = store->read().auth().find_api_token("th1").value();
  REQUIRE(kept);
  CHECK_FALSE(kept->revoked_at);

  CHECK(
      store->write([](WriteTx& tx) { return tx.auth().reset_password(9999, "x"); }).error().code ==
      ErrorCode::kNotFound);
}

TEMPLATE_TEST_CASE("storage contract: a TOTP step and a recovery code are accepted once",
                   "[storage][contract][auth]", TRIAGE_STORAGE_BACKENDS) {
  TestType backend;
  auto store = backend.open();
  auto id = store->write([](WriteTx& tx) { return tx.auth().insert_user(user("bob")); });
  REQUIRE(id);
  // Nothing in force: no step is accepted.
  CHECK_FALSE(
      store->write([&](WriteTx& tx) { return tx.auth().accept_totp_step(*id, 5); }).value());

  REQUIRE(store->write([&](WriteTx& tx) { return tx.auth().begin_totp(*id, "SECRETONE"); }));
  auto pending = store->read().auth().find_user(*id).value();
  CHECK(pending->totp_pending == "SECRETONE");
  CHECK(pending->totp_secret.empty());
  // Confirming a secret that is not the pending one changes nothing.
  CHECK(store->write([&](WriteTx& tx) { return tx.auth().activate_totp(*id, "OTHER", 10, {"h1"}); })
            .error()
            .code == ErrorCode::kConflict);
  REQUIRE(store->write([&](WriteTx& tx) {
    return tx.auth().activate_totp(*id, "SECRETONE", 10, {"h1", "h2"});
  }));
  auto active = store->read().auth().find_user(*id).value();
  CHECK(active->totp_secret == "SECRETONE");
  CHECK(active->totp_pending.empty());
  CHECK(active->totp_last_step == 10);
  CHECK(store->read().auth().count_recovery_codes(*id).value() == 2);

  CHECK_FALSE(
      store->write([&](WriteTx& tx) { return tx.auth().accept_totp_step(*id, 10); }).value());
  CHECK(store->write([&](WriteTx& tx) { return tx.auth().accept_totp_step(*id, 11); }).value());
  CHECK_FALSE(
      store->write([&](WriteTx& tx) { return tx.auth().accept_totp_step(*id, 11); }).value());
  CHECK_FALSE(
      store->write([&](WriteTx& tx) { return tx.auth().accept_totp_step(*id, 9); }).value());

  CHECK(store->write([&](WriteTx& tx) { return tx.auth().use_recovery_code(*id, "h1", at(5)); })
            .value());
  CHECK_FALSE(
      store->write([&](WriteTx& tx) { return tx.auth().use_recovery_code(*id, "h1", at(6)); })
          .value());
  CHECK_FALSE(
      store->write([&](WriteTx& tx) { return tx.auth().use_recovery_code(*id, "h9", at(6)); })
          .value());
  CHECK(store->read().auth().count_recovery_codes(*id).value() == 1);

  REQUIRE(store->write([&](WriteTx& tx) { return tx.auth().remove_totp(*id); }));
  auto removed = store->read().auth().find_user(*id).value();
  CHECK(removed->totp_secret.empty());
  CHECK(store->read().auth().count_recovery_codes(*id).value() == 0);
}

TEMPLATE_TEST_CASE("storage contract: a user's sessions are listed with their origin and end by id",
                   "[storage][contract][auth]", TRIAGE_STORAGE_BACKENDS) {
  TestType backend;
  auto store = backend.open();
  auto alice = store->write([](WriteTx& tx) { return tx.auth().insert_user(user("alice")); });
  auto bob = store->write([](WriteTx& tx) { return tx.auth().insert_user(user("bob")); });
  REQUIRE(alice);
  REQUIRE(bob);
  auto first = session_of(*alice, std::string(64, 'a'));
  first.source = "192.0.2.7:5000";
  first.user_agent = "Firefox";
  first.method = "password+totp";
  auto second = session_of(*alice, std::string(64, 'b'));
  second.created_at = at(10);
  auto expired = session_of(*alice, std::string(64, 'c'));
  expired.expires_at = at(20);
  for (const auto& s : {first, second, expired, session_of(*bob, std::string(64, 'd'))}) {
    REQUIRE(store->write([&](WriteTx& tx) { return tx.auth().insert_session(s); }));
  }
  REQUIRE(
      store->write([&](WriteTx& tx) { return tx.auth().touch_session(first.token_hash, at(30)); }));

  auto listed = store->read().auth().list_sessions(*alice, at(25)).value();
  REQUIRE(listed.size() == 2);
  CHECK(listed[0].token_hash == second.token_hash);  // newest first
  CHECK_FALSE(listed[0].last_seen_at);
  CHECK(listed[1].source == "192.0.2.7:5000");
  CHECK(listed[1].user_agent == "Firefox");
  CHECK(listed[1].method == "password+totp");
  CHECK(listed[1].last_seen_at == at(30));
  CHECK(listed[1].id() == std::string(16, 'a'));

  // Only the user's own session of that id ends.
  CHECK_FALSE(store
                  ->write([&](WriteTx& tx) {
                    return tx.auth().delete_user_session(*bob, std::string(16, 'a'));
                  })
                  .value());
  CHECK(store
            ->write([&](WriteTx& tx) {
              return tx.auth().delete_user_session(*alice, std::string(16, 'a'));
            })
            .value());
  CHECK_FALSE(store->read().auth().find_session(first.token_hash, at(31)).value());
  CHECK(store->read().auth().find_session(second.token_hash, at(31)).value());
}

TEMPLATE_TEST_CASE("storage contract: a directory user keeps their source, role and last check",
                   "[storage][contract][auth]", TRIAGE_STORAGE_BACKENDS) {
  TestType backend;
  auto store = backend.open();
  auto person = user("dana");
  person.password_hash.clear();
  person.source = UserSource::kLdap;
  person.directory_checked_at = at(5);
  auto id = store->write([&](WriteTx& tx) { return tx.auth().insert_user(person); });
  REQUIRE(id);
  auto local = store->write([](WriteTx& tx) { return tx.auth().insert_user(user("lara")); });
  REQUIRE(local);

  auto stored = store->read().auth().find_user(*id).value();
  REQUIRE(stored);
  CHECK(stored->source == UserSource::kLdap);
  CHECK(stored->directory_checked_at == at(5));
  auto lara = store->read().auth().find_user_by_name("lara").value();
  REQUIRE(lara);
  CHECK(lara->source == UserSource::kLocal);
  CHECK_FALSE(lara->directory_checked_at);

  REQUIRE(store->write(
      [&](WriteTx& tx) { return tx.auth().record_directory_check(*id, Role::kSenior, at(9)); }));
  stored = store->read().auth().find_user(*id).value();
  CHECK(stored->role == Role::kSenior);
  CHECK(stored->directory_checked_at == at(9));
  // Only the directory's users have a directory check.
  CHECK(store
            ->write([&](WriteTx& tx) {
              return tx.auth().record_directory_check(*local, Role::kAdmin, at(9));
            })
            .error()
            .code == ErrorCode::kNotFound);
  CHECK(store->read().auth().find_user(*local).value()->role == lara->role);

  // Their password and second factor are the directory's business.
  CHECK(store->write([&](WriteTx& tx) { return tx.auth().set_password(*id, "h", ""); })
            .error()
            .code == ErrorCode::kNotFound);
  CHECK(
      store->write([&](WriteTx& tx) { return tx.auth().reset_password(*id, "h"); }).error().code ==
      ErrorCode::kNotFound);
  CHECK(
      store->write([&](WriteTx& tx) { return tx.auth().begin_totp(*id, "SECRET"); }).error().code ==
      ErrorCode::kNotFound);
  CHECK(store->read().auth().find_user(*id).value()->password_hash.empty());
}

TEMPLATE_TEST_CASE("storage contract: ending a user's access ends sessions and revokes tokens",
                   "[storage][contract][auth]", TRIAGE_STORAGE_BACKENDS) {
  TestType backend;
  auto store = backend.open();
  auto id = store->write([](WriteTx& tx) { return tx.auth().insert_user(user("erin")); });
  auto other = store->write([](WriteTx& tx) { return tx.auth().insert_user(user("fred")); });
  REQUIRE(id);
  REQUIRE(other);
  for (auto [owner, hash] : {std::pair{*id, "e1"}, std::pair{*id, "e2"}, std::pair{*other, "f1"}}) {
    REQUIRE(store->write(
        [&](WriteTx& tx) { return tx.auth().insert_session(session_of(owner, hash)); }));
  }
  for (auto [owner, token_id] : {std::pair{*id, "ke"}, std::pair{*other, "kf"}}) {
    ApiToken token;
    token.id = token_id;
    token.token_hash = std::string("h") + token_id;
    token.user_id = owner;
    token.name = "script";
    token.created_at = at(0);
    token.expires_at = at(1000);
    REQUIRE(store->write([&](WriteTx& tx) { return tx.auth().insert_api_token(token); }));
  }

  REQUIRE(store->write([&](WriteTx& tx) { return tx.auth().end_user_access(*id, at(7)); }));
  CHECK_FALSE(store->read().auth().find_session("e1", at(1)).value());
  CHECK_FALSE(store->read().auth().find_session("e2", at(1)).value());
  CHECK(store->read().auth().find_session("f1", at(1)).value());
  auto revoked = store->read().auth().find_api_token("hke").value();
  REQUIRE(revoked);
  CHECK(revoked->revoked_at == at(7));
  CHECK_FALSE(store->read().auth().find_api_token("hkf").value()->revoked_at);
  // The account itself stays as it was.
  auto erin = store->read().auth().find_user(*id).value();
  REQUIRE(erin);
  CHECK_FALSE(erin->disabled);
}
