// Login throttling across collector nodes, on every storage backend: two nodes (two stores on
// the same data, a guard each) count a client's failed logins and a name's failures together.

#include <catch2/catch.hpp>

#include "collector/auth/login_guard.hpp"
#include "tests/collector/storage/contract/contract_fixtures.hpp"
#include "tests/collector/storage/contract/storage_backends.hpp"

using namespace triage;
using namespace triage::collector;
using namespace triage::collector::contract;
using namespace std::chrono_literals;

namespace {

LoginSettings node_settings() {
  LoginSettings s;
  s.lockout.max_failures = 2;
  s.lockout.lockout = 60s;
  s.per_client.burst = 3;
  s.per_client.per_minute = 1;
  return s;
}

}  // namespace

TEMPLATE_TEST_CASE("login throttling: failures on one node throttle the client on the other",
                   "[storage][auth][login]", TRIAGE_STORAGE_BACKENDS) {
  TestType backend;
  auto store_a = backend.open();
  auto store_b = backend.open();
  LoginGuard node_a(node_settings());
  LoginGuard node_b(node_settings());
  const std::string client = "203.0.113.7";

  // The name's lockout is shared: a failure on each node locks it.
  auto first = node_a.login(*store_a, LoginAttempt{"sam", "wrong password 1", client}, at(0));
  REQUIRE_FALSE(first);
  CHECK(first.error().reason == LoginRefusalReason::kWrongCredentials);
  auto second = node_b.login(*store_b, LoginAttempt{"sam", "wrong password 2", client}, at(1));
  REQUIRE_FALSE(second);
  CHECK(second.error().reason == LoginRefusalReason::kLockedNow);

  // The client spent two of its three attempts above; the third goes on node A...
  auto third = node_a.login(*store_a, LoginAttempt{"kim", "wrong password 3", client}, at(2));
  REQUIRE_FALSE(third);
  CHECK(third.error().reason == LoginRefusalReason::kWrongCredentials);
  // ...and node B refuses the fourth before looking at the password.
  auto fourth = node_b.login(*store_b, LoginAttempt{"lee", "wrong password 4", client}, at(3));
  REQUIRE_FALSE(fourth);
  CHECK(fourth.error().reason == LoginRefusalReason::kThrottled);
  CHECK(fourth.error().retry_after == 57s);
  // Another address is not throttled.
  auto other =
      node_b.login(*store_b, LoginAttempt{"lee", "wrong password 5", "203.0.113.8"}, at(3));
  REQUIRE_FALSE(other);
  CHECK(other.error().reason == LoginRefusalReason::kWrongCredentials);
  // A minute later the client has one attempt again, on either node.
  auto later = node_a.login(*store_a, LoginAttempt{"max", "wrong password 6", client}, at(61));
  REQUIRE_FALSE(later);
  CHECK(later.error().reason == LoginRefusalReason::kWrongCredentials);
}
