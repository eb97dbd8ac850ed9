// Sign-in with a second factor against a real SQLite store: the code is required, accepted
// once, wrong codes count toward the lockout, recovery codes work once.

#include <catch2/catch.hpp>

#include "collector/auth/login_guard.hpp"
#include "collector/auth/recovery_codes.hpp"
#include "collector/auth/totp.hpp"
#include "collector/storage/sqlite/sqlite_store.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage;
using namespace triage::collector;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view kPassword = "a long enough password";

struct Env {
  testing::TempDir dir;
  std::unique_ptr<SqliteStore> store =
      std::move(*SqliteStore::open((dir.path() / "c.db").string()));
  TimePoint now = TimePoint(std::chrono::seconds(1'800'000'015));
  std::string secret = new_totp_secret();
  std::string key = *base32_decode(secret);
  std::vector<std::string> recovery = new_recovery_codes();
  LoginGuard guard{settings()};

  static LoginSettings settings() {
    LoginSettings s;
    s.lockout.max_failures = 3;
    s.lockout.lockout = 60s;
    s.per_client.burst = 1000;
    return s;
  }

  Env() {
    auto user = create_user(*store, "sam", Role::kAdmin, kPassword, now);
    REQUIRE(user);
    std::vector<std::string> hashes;
    for (const auto& c : recovery) hashes.push_back(*recovery_code_hash(c));
    REQUIRE(store->write([&](WriteTx& tx) { return tx.auth().begin_totp(user->id, secret); }));
    REQUIRE(store->write([&](WriteTx& tx) {
      return tx.auth().activate_totp(user->id, secret, totp_step(now) - 10, hashes);
    }));
  }

  std::string code(std::int64_t steps_from_now = 0) const {
    return totp_code(key, totp_step(now) + steps_from_now).value();
  }

  tl::expected<LoginResult, LoginRefusal> login(std::string_view password, std::string_view second,
                                                TimePoint at) {
    LoginAttempt attempt{"sam", password, "192.0.2.1"};
    attempt.second_factor = second;
    return guard.login(*store, attempt, at);
  }
};

}  // namespace

TEST_CASE("a user with TOTP cannot sign in with the password alone", "[auth][totp]") {
  Env env;
  auto bare = env.login(kPassword, "", env.now);
  REQUIRE_FALSE(bare);
  CHECK(bare.error().reason == LoginRefusalReason::kSecondFactorRequired);
  auto with_code = env.login(kPassword, env.code(), env.now);
  REQUIRE(with_code);
  CHECK(with_code->method == "password+totp");
  // A wrong password with a right code is a wrong password.
  auto wrong = env.login("not the password!", env.code(1), env.now);
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().reason == LoginRefusalReason::kWrongCredentials);
}

TEST_CASE("a replayed TOTP code is refused", "[auth][totp]") {
  Env env;
  const auto code = env.code();
  REQUIRE(env.login(kPassword, code, env.now));
  auto replay = env.login(kPassword, code, env.now + 5s);
  REQUIRE_FALSE(replay);
  CHECK(replay.error().reason == LoginRefusalReason::kWrongSecondFactor);
  CHECK_THAT(replay.error().error.message, Catch::Contains("used already"));
  // An older step's code is refused too once a later one was used; the next step's is fine.
  CHECK_FALSE(env.login(kPassword, env.code(-1), env.now + 5s));
  CHECK(env.login(kPassword, env.code(1), env.now + 30s));
}

TEST_CASE("wrong TOTP codes count toward the lockout even with the right password",
          "[auth][totp]") {
  Env env;
  for (int i = 0; i < 2; ++i) {
    auto r = env.login(kPassword, "000000", env.now);
    REQUIRE_FALSE(r);
    CHECK(r.error().reason == LoginRefusalReason::kWrongSecondFactor);
  }
  auto third = env.login(kPassword, "000000", env.now);
  REQUIRE_FALSE(third);
  CHECK(third.error().reason == LoginRefusalReason::kLockedNow);
  auto locked = env.login(kPassword, env.code(), env.now + 1s);
  REQUIRE_FALSE(locked);
  CHECK(locked.error().retry_after > 0s);
  CHECK(env.login(kPassword, env.code(2), env.now + 61s));
}

TEST_CASE("a recovery code signs in once", "[auth][totp]") {
  Env env;
  const auto& code = env.recovery.front();
  auto first = env.login(kPassword, code, env.now);
  REQUIRE(first);
  CHECK(first->method == "password+recovery_code");
  auto again = env.login(kPassword, code, env.now + 1s);
  REQUIRE_FALSE(again);
  CHECK(again.error().reason == LoginRefusalReason::kWrongSecondFactor);
  CHECK(env.store->read().auth().count_recovery_codes(first->user.id).value() == 9);
}
