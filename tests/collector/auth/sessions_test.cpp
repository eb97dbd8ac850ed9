// Request authentication: bearer sessions, cookie sessions with CSRF, API tokens, logout and
// disabling a user.

#include <catch2/catch.hpp>

#include "collector/auth/accounts.hpp"
#include "collector/auth/api_tokens.hpp"
#include "collector/storage/sqlite/sqlite_store.hpp"
#include "shared/pki/secrets.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage;
using namespace triage::collector;
using namespace std::chrono_literals;

namespace {

struct Env {
  testing::TempDir dir;
  std::unique_ptr<SqliteStore> store =
      std::move(*SqliteStore::open((dir.path() / "c.db").string()));
  TimePoint now = std::chrono::system_clock::now();
  User user = *create_user(*store, "sam", Role::kSenior, "a long enough password", now);
};

Credentials bearer(const std::string& header) { return Credentials{header, {}, {}, false}; }

}  // namespace

TEST_CASE("a cookie session needs the CSRF token for unsafe methods only") {
  Env env;
  auto session = open_session(*env.store, env.user, SessionKind::kCookie, 1h, env.now);
  REQUIRE(session);
  REQUIRE_FALSE(session->csrf_token.empty());
  const std::string cookie = "theme=dark; __Host-triage_session=" + session->token;

  auto get = authenticate(*env.store, Credentials{{}, cookie, {}, false}, env.now);
  REQUIRE(get);
  CHECK(get->kind == AuthKind::kCookie);
  CHECK(get->user.name == "sam");
  CHECK(get->user.password_hash.empty());

  auto post_without = authenticate(*env.store, Credentials{{}, cookie, {}, true}, env.now);
  REQUIRE_FALSE(post_without);
  CHECK(post_without.error().kind == AuthRefusalKind::kCsrf);
  auto post_wrong = authenticate(*env.store, Credentials{{}, cookie, "not-it", true}, env.now);
  REQUIRE_FALSE(post_wrong);
  CHECK(post_wrong.error().kind == AuthRefusalKind::kCsrf);
  // Another session's CSRF token is no good either.
  auto other = open_session(*env.store, env.user, SessionKind::kCookie, 1h, env.now);
  REQUIRE(other);
  auto post_other =
      authenticate(*env.store, Credentials{{}, cookie, other->csrf_token, true}, env.now);
  REQUIRE_FALSE(post_other);
  CHECK(post_other.error().kind == AuthRefusalKind::kCsrf);

  auto post = authenticate(*env.store, Credentials{{}, cookie, session->csrf_token, true}, env.now);
  REQUIRE(post);

  // A cookie session is not a bearer token, and a bearer session is not a cookie.
  CHECK_FALSE(authenticate(*env.store, bearer("Bearer " + session->token), env.now));
  auto bearer_session = open_session(*env.store, env.user, SessionKind::kBearer, 1h, env.now);
  REQUIRE(bearer_session);
  CHECK(bearer_session->csrf_token.empty());
  auto as_cookie = authenticate(
      *env.store, Credentials{{}, "__Host-triage_session=" + bearer_session->token, {}, false},
      env.now);
  REQUIRE_FALSE(as_cookie);
  CHECK(as_cookie.error().kind == AuthRefusalKind::kUnauthenticated);

  // Expired.
  CHECK_FALSE(authenticate(*env.store, Credentials{{}, cookie, {}, false}, env.now + 2h));
  // The CSRF secret is stored hashed only.
  CHECK(pki::sha256_hex(session->csrf_token).size() == 64);
}

TEST_CASE("a bearer header wins over a cookie and needs no CSRF token") {
  Env env;
  auto cookie_session = open_session(*env.store, env.user, SessionKind::kCookie, 1h, env.now);
  auto bearer_session = open_session(*env.store, env.user, SessionKind::kBearer, 1h, env.now);
  REQUIRE(cookie_session);
  REQUIRE(bearer_session);
  const std::string cookie = "__Host-triage_session=" + cookie_session->token;
  auto ok = authenticate(*env.store,
                         Credentials{"Bearer " + bearer_session->token, cookie, {}, true}, env.now);
  REQUIRE(ok);
  CHECK(ok->kind == AuthKind::kSession);
  // A bad bearer token is refused, not rescued by the cookie.
  CHECK_FALSE(authenticate(*env.store, Credentials{"Bearer nonsense", cookie, {}, false}, env.now));
  CHECK_FALSE(authenticate(*env.store, Credentials{"Bearer a b", {}, {}, false}, env.now));
  CHECK_FALSE(authenticate(
      *env.store, Credentials{{}, "__Host-triage_session=x; __Host-triage_session=y", {}, false},
      env.now));
}

TEST_CASE("logout deletes the session") {
  Env env;
  auto session = open_session(*env.store, env.user, SessionKind::kBearer, 1h, env.now);
  REQUIRE(session);
  auto auth = authenticate(*env.store, bearer("Bearer " + session->token), env.now);
  REQUIRE(auth);
  REQUIRE(
      env.store->write([&](WriteTx& tx) { return tx.auth().delete_session(auth->session_hash); }));
  CHECK_FALSE(authenticate(*env.store, bearer("Bearer " + session->token), env.now));
}

TEST_CASE("API tokens: prefixed, bound to a user, expiring, revocable, used-at recorded") {
  Env env;
  auto created = env.store->write([&](WriteTx& tx) {
    return create_api_token(tx.auth(), "sam", "rt-connector", 90 * 24h, "cli", env.now);
  });
  REQUIRE(created);
  CHECK_THAT(created->token, Catch::StartsWith("trt_" + created->record.id + "_"));
  CHECK(created->record.expires_at == env.now + 90 * 24h);
  auto auth = authenticate(*env.store, bearer("Bearer " + created->token), env.now + 1h);
  REQUIRE(auth);
  CHECK(auth->kind == AuthKind::kApiToken);
  CHECK(auth->user.role == Role::kSenior);
  CHECK(auth->token_id == created->record.id);

  auto listed = env.store->read().auth().list_api_tokens();
  REQUIRE(listed);
  REQUIRE(listed->size() == 1);
  CHECK(listed->front().user_name == "sam");
  CHECK(listed->front().name == "rt-connector");
  REQUIRE(listed->front().last_used_at);
  CHECK(std::chrono::abs(*listed->front().last_used_at - (env.now + 1h)) < 1ms);
  CHECK(listed->front().token_hash != created->token);

  CHECK_FALSE(authenticate(*env.store, bearer("Bearer " + created->token), env.now + 91 * 24h));
  CHECK_FALSE(authenticate(*env.store, bearer("Bearer trt_000000000000_forged"), env.now));
  REQUIRE(env.store->write(
      [&](WriteTx& tx) { return tx.auth().revoke_api_token(created->record.id, env.now + 2h); }));
  auto revoked = authenticate(*env.store, bearer("Bearer " + created->token), env.now + 3h);
  REQUIRE_FALSE(revoked);
  CHECK_THAT(revoked.error().error.message, Catch::Contains("revoked"));
  CHECK(
      env.store
          ->write([&](WriteTx& tx) { return tx.auth().revoke_api_token("ffffffffffff", env.now); })
          .error()
          .code == ErrorCode::kNotFound);
}

TEST_CASE("API token requests are validated") {
  Env env;
  CHECK(env.store
            ->write([&](WriteTx& tx) {
              return create_api_token(tx.auth(), "nobody", "x", 24h, "cli", env.now);
            })
            .error()
            .code == ErrorCode::kNotFound);
  CHECK(env.store
            ->write([&](WriteTx& tx) {
              return create_api_token(tx.auth(), "sam", "", 24h, "cli", env.now);
            })
            .error()
            .code == ErrorCode::kInvalid);
  CHECK(env.store
            ->write([&](WriteTx& tx) {
              return create_api_token(tx.auth(), "sam", std::string(65, 'x'), 24h, "cli", env.now);
            })
            .error()
            .code == ErrorCode::kInvalid);
  CHECK(env.store
            ->write([&](WriteTx& tx) {
              return create_api_token(tx.auth(), "sam", "tab\there", 24h, "cli", env.now);
            })
            .error()
            .code == ErrorCode::kInvalid);
  CHECK(env.store
            ->write([&](WriteTx& tx) {
              return create_api_token(tx.auth(), "sam", "x", 366 * 24h, "cli", env.now);
            })
            .error()
            .code == ErrorCode::kInvalid);
  CHECK(env.store->write([&](WriteTx& tx) {
    return create_api_token(tx.auth(), "sam", "x", 365 * 24h, "cli", env.now);
  }));
}

TEST_CASE("disabling a user ends sessions and tokens at once, enabling does not revive them") {
  Env env;
  auto session = open_session(*env.store, env.user, SessionKind::kBearer, 1h, env.now);
  auto token = env.store->write(
      [&](WriteTx& tx) { return create_api_token(tx.auth(), "sam", "ci", 24h, "cli", env.now); });
  REQUIRE(session);
  REQUIRE(token);
  auto disabled = env.store->write([&](WriteTx& tx) {
    return tx.auth().update_user(env.user.id, UserUpdate{std::nullopt, true, std::nullopt},
                                 env.now);
  });
  REQUIRE(disabled);
  CHECK(disabled->disabled);
  CHECK_FALSE(authenticate(*env.store, bearer("Bearer " + session->token), env.now));
  CHECK_FALSE(authenticate(*env.store, bearer("Bearer " + token->token), env.now));
  CHECK(env.store
            ->write([&](WriteTx& tx) {
              return create_api_token(tx.auth(), "sam", "ci", 24h, "cli", env.now);
            })
            .error()
            .code == ErrorCode::kConflict);

  auto enabled = env.store->write([&](WriteTx& tx) {
    return tx.auth().update_user(env.user.id, UserUpdate{Role::kViewer, false, std::nullopt},
                                 env.now);
  });
  REQUIRE(enabled);
  CHECK(enabled->role == Role::kViewer);
  CHECK_FALSE(enabled->disabled);
  CHECK_FALSE(authenticate(*env.store, bearer("Bearer " + session->token), env.now));
  CHECK_FALSE(authenticate(*env.store, bearer("Bearer " + token->token), env.now));
  CHECK(env.store
            ->write([&](WriteTx& tx) {
              return tx.auth().update_user(
                  9999, UserUpdate{Role::kViewer, std::nullopt, std::nullopt}, env.now);
            })
            .error()
            .code == ErrorCode::kNotFound);
}

TEST_CASE("an API token minted by someone else is not a credential only its user holds") {
  Env env;
  auto own = env.store->write([&](WriteTx& tx) {
    return create_api_token(tx.auth(), "sam", "mine", 24h, "user:sam", env.now);
  });
  auto borrowed = env.store->write([&](WriteTx& tx) {
    return create_api_token(tx.auth(), "sam", "by-admin", 24h, "user:admin", env.now);
  });
  REQUIRE(own);
  REQUIRE(borrowed);
  auto with_own = authenticate(*env.store, bearer("Bearer " + own->token), env.now);
  auto with_borrowed = authenticate(*env.store, bearer("Bearer " + borrowed->token), env.now);
  REQUIRE(with_own);
  REQUIRE(with_borrowed);
  CHECK(with_own->personal());
  CHECK_FALSE(with_borrowed->personal());
  CHECK(with_own->credential() == "api_token:" + own->record.id);

  auto session = open_session(*env.store, env.user, SessionKind::kBearer, 1h, env.now);
  REQUIRE(session);
  auto with_session = authenticate(*env.store, bearer("Bearer " + session->token), env.now);
  REQUIRE(with_session);
  CHECK(with_session->personal());
  // Names the session by its stored hash, never by anything that authenticates.
  CHECK(with_session->credential() == "session:" + pki::sha256_hex(session->token).substr(0, 16));
  CHECK(with_session->credential().find(session->token) == std::string::npos);
}

TEST_CASE("a service account has no password and a password change ends the other sessions") {
  Env env;
  auto service = new_service_account("rt-sync", Role::kTechnician, env.now);
  REQUIRE(service);
  CHECK(service->password_hash.empty());
  CHECK_FALSE(new_service_account("root-bot", Role::kAdmin, env.now));
  REQUIRE(env.store->write([&](WriteTx& tx) { return tx.auth().insert_user(*service); }));
  CHECK(check_password(*env.store, "rt-sync", "").error().code == ErrorCode::kDenied);
  CHECK(check_password(*env.store, "rt-sync", "anything at all").error().code ==
        ErrorCode::kDenied);
  CHECK((*env.store->read().auth().find_user_by_name("rt-sync"))->kind == UserKind::kService);

  auto kept = open_session(*env.store, env.user, SessionKind::kBearer, 1h, env.now);
  auto other = open_session(*env.store, env.user, SessionKind::kCookie, 1h, env.now);
  REQUIRE(kept);
  REQUIRE(other);
  REQUIRE(env.store->write([&](WriteTx& tx) {
    return tx.auth().update_user(env.user.id, UserUpdate{std::nullopt, std::nullopt, true},
                                 env.now);
  }));
  CHECK((*env.store->read().auth().find_user(env.user.id))->must_change_password);
  auto hash = pki::hash_password("the new long password");
  REQUIRE(hash);
  REQUIRE(env.store->write([&](WriteTx& tx) {
    return tx.auth().set_password(env.user.id, *hash, pki::sha256_hex(kept->token));
  }));
  CHECK_FALSE((*env.store->read().auth().find_user(env.user.id))->must_change_password);
  CHECK(authenticate(*env.store, bearer("Bearer " + kept->token), env.now));
  CHECK_FALSE(
      env.store->read().auth().find_session(pki::sha256_hex(other->token), env.now).value());
  CHECK(check_password(*env.store, "sam", "the new long password"));
  CHECK_FALSE(check_password(*env.store, "sam", "a long enough password"));
  // A service account has no password to set.
  const auto service_id = (*env.store->read().auth().find_user_by_name("rt-sync"))->id;
  CHECK(env.store->write([&](WriteTx& tx) { return tx.auth().set_password(service_id, *hash, ""); })
            .error()
            .code == ErrorCode::kNotFound);
}
