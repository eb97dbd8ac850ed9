// Throttled password login against a real SQLite store: lockout survives a restart, refuses
// the right password while it lasts, and treats unknown names exactly like real ones.

#include <catch2/catch.hpp>

#include "collector/auth/login_guard.hpp"
#include "collector/storage/sqlite/sqlite_store.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage;
using namespace triage::collector;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view kPassword = "a long enough password";

LoginSettings test_settings() {
  LoginSettings s;
  s.lockout.max_failures = 3;
  s.lockout.lockout = 60s;
  s.per_client.burst = 1000;
  return s;
}

struct Env {
  testing::TempDir dir;
  std::unique_ptr<SqliteStore> store = open();
  TimePoint now = std::chrono::system_clock::now();

  std::unique_ptr<SqliteStore> open() {
    return std::move(*SqliteStore::open((dir.path() / "c.db").string()));
  }
};

}  // namespace

TEST_CASE("a locked account refuses even the right password until the lockout ends") {
  Env env;
  REQUIRE(create_user(*env.store, "sam", Role::kTechnician, kPassword, env.now));
  LoginGuard guard(test_settings());
  auto attempt = [&](std::string_view name, std::string_view password, TimePoint at) {
    return guard.login(*env.store, LoginAttempt{name, password, "192.0.2.1"}, at);
  };

  for (int i = 0; i < 2; ++i) {
    auto r = attempt("sam", "wrong password!!", env.now);
    REQUIRE_FALSE(r);
    CHECK(r.error().retry_after == 0s);
    CHECK(r.error().error.code == ErrorCode::kDenied);
  }
  auto third = attempt("sam", "wrong password!!", env.now);
  REQUIRE_FALSE(third);
  CHECK(third.error().retry_after == 60s);  // the locking failure already says so

  auto right = attempt("sam", kPassword, env.now + 10s);
  REQUIRE_FALSE(right);
  CHECK(right.error().retry_after == 50s);
  CHECK_THAT(right.error().error.message, Catch::Contains("even with the right password"));

  // The lockout is in the database: a restarted collector (new store, new guard) keeps it.
  env.store.reset();
  env.store = env.open();
  LoginGuard restarted(test_settings());
  auto after_restart =
      restarted.login(*env.store, LoginAttempt{"sam", kPassword, "192.0.2.1"}, env.now + 20s);
  REQUIRE_FALSE(after_restart);
  CHECK(after_restart.error().retry_after == 40s);

  auto later =
      restarted.login(*env.store, LoginAttempt{"sam", kPassword, "192.0.2.1"}, env.now + 61s);
  REQUIRE(later);
  CHECK(later->user.name == "sam");
  // Success clears the record.
  CHECK_FALSE(env.store->read().auth().find_login_throttle("sam").value());
}

TEST_CASE("unknown names lock exactly like real ones, with the same messages") {
  Env env;
  REQUIRE(create_user(*env.store, "sam", Role::kViewer, kPassword, env.now));
  LoginGuard guard(test_settings());
  std::vector<std::string> sam, ghost;
  for (int i = 0; i < 4; ++i) {
    auto a = guard.login(*env.store, LoginAttempt{"sam", "nope nope nope", "192.0.2.1"}, env.now);
    auto b = guard.login(*env.store, LoginAttempt{"ghost", "nope nope nope", "192.0.2.1"}, env.now);
    REQUIRE_FALSE(a);
    REQUIRE_FALSE(b);
    CHECK(a.error().retry_after == b.error().retry_after);
    sam.push_back(a.error().error.message);
    ghost.push_back(b.error().error.message);
  }
  CHECK(sam == ghost);
}

TEST_CASE("a success before the limit resets the failure count") {
  Env env;
  REQUIRE(create_user(*env.store, "sam", Role::kViewer, kPassword, env.now));
  LoginGuard guard(test_settings());
  auto login = [&](std::string_view password) {
    return guard.login(*env.store, LoginAttempt{"sam", password, "192.0.2.1"}, env.now);
  };
  CHECK_FALSE(login("wrong password 1"));
  CHECK_FALSE(login("wrong password 2"));
  CHECK(login(kPassword));
  CHECK_FALSE(login("wrong password 3"));
  CHECK_FALSE(login("wrong password 4"));
  CHECK(login(kPassword));
}

TEST_CASE("one client address is throttled across names, others are not") {
  Env env;
  auto settings = test_settings();
  settings.per_client.burst = 3;
  settings.per_client.per_minute = 1;
  LoginGuard guard(settings);
  for (auto name : {"a", "b", "c"}) {
    auto r = guard.login(*env.store, LoginAttempt{name, "pw pw pw pw pw", "198.51.100.9"}, env.now);
    REQUIRE_FALSE(r);
    CHECK(r.error().retry_after == 0s);
  }
  auto fourth =
      guard.login(*env.store, LoginAttempt{"d", "pw pw pw pw pw", "198.51.100.9"}, env.now);
  REQUIRE_FALSE(fourth);
  CHECK(fourth.error().retry_after == 60s);
  CHECK_THAT(fourth.error().error.message, Catch::Contains("your address"));
  auto other =
      guard.login(*env.store, LoginAttempt{"d", "pw pw pw pw pw", "198.51.100.10"}, env.now);
  REQUIRE_FALSE(other);
  CHECK(other.error().retry_after == 0s);
  auto refilled =
      guard.login(*env.store, LoginAttempt{"d", "pw pw pw pw pw", "198.51.100.9"}, env.now + 61s);
  REQUIRE_FALSE(refilled);
  CHECK(refilled.error().retry_after == 0s);
}

TEST_CASE("a disabled account fails like a wrong password and counts toward lockout") {
  Env env;
  auto user = create_user(*env.store, "sam", Role::kViewer, kPassword, env.now);
  REQUIRE(user);
  REQUIRE(env.store->write([&](WriteTx& tx) {
    return tx.auth().update_user(user->id, UserUpdate{std::nullopt, true, std::nullopt}, env.now);
  }));
  LoginGuard guard(test_settings());
  auto r = guard.login(*env.store, LoginAttempt{"sam", kPassword, "192.0.2.1"}, env.now);
  REQUIRE_FALSE(r);
  CHECK(r.error().error.message == "wrong user name or password");
  CHECK(env.store->read().auth().find_login_throttle("sam").value()->failures == 1);
}

TEST_CASE("two login guards over one store throttle one client address together") {
  // Two collector nodes each have a guard of their own; what they share is the store.
  Env env;
  auto settings = test_settings();
  settings.per_client.burst = 3;
  settings.per_client.per_minute = 1;
  LoginGuard node_a(settings);
  LoginGuard node_b(settings);
  for (auto name : {"a", "b", "c"}) {
    auto r =
        node_a.login(*env.store, LoginAttempt{name, "pw pw pw pw pw", "198.51.100.9"}, env.now);
    REQUIRE_FALSE(r);
    CHECK(r.error().retry_after == 0s);
  }
  auto elsewhere =
      node_b.login(*env.store, LoginAttempt{"d", "pw pw pw pw pw", "198.51.100.9"}, env.now + 1s);
  REQUIRE_FALSE(elsewhere);
  CHECK(elsewhere.error().reason == LoginRefusalReason::kThrottled);
  CHECK(elsewhere.error().retry_after == 59s);

  // A restarted collector (new store, new guard) keeps the client's count too.
  env.store.reset();
  env.store = env.open();
  LoginGuard restarted(settings);
  auto after_restart = restarted.login(
      *env.store, LoginAttempt{"d", "pw pw pw pw pw", "198.51.100.9"}, env.now + 2s);
  REQUIRE_FALSE(after_restart);
  CHECK(after_restart.error().reason == LoginRefusalReason::kThrottled);
}
