// Account lockout rules and the per-client token buckets, as pure state transitions.

#include <catch2/catch.hpp>

#include "collector/auth/client_key.hpp"
#include "collector/auth/lockout.hpp"
#include "shared/util/rate_limiter.hpp"

using namespace triage;
using namespace triage::collector;
using namespace std::chrono_literals;

namespace {

const TimePoint kT0 = TimePoint(std::chrono::hours(24 * 365 * 50));

LoginThrottleState fail_times(LoginThrottleState s, const LockoutPolicy& p, int n, TimePoint at) {
  for (int i = 0; i < n; ++i) s = after_failed_login(s, p, at);
  return s;
}

}  // namespace

TEST_CASE("the fifth consecutive failure locks the name for the lockout time") {
  LockoutPolicy policy;  // 5 failures, 15 minutes
  auto s = fail_times({}, policy, 4, kT0);
  CHECK(s.failures == 4);
  CHECK_FALSE(lockout_remaining(s, kT0));
  s = after_failed_login(s, policy, kT0);
  CHECK(s.failures == 0);
  CHECK(s.lockouts == 1);
  REQUIRE(lockout_remaining(s, kT0));
  CHECK(*lockout_remaining(s, kT0) == 900s);
  CHECK(*lockout_remaining(s, kT0 + 899s) == 1s);
  CHECK(*lockout_remaining(s, kT0 + 899500ms) == 1s);  // rounds up, never "retry after 0"
  CHECK_FALSE(lockout_remaining(s, kT0 + 900s));
}

TEST_CASE("attempts while locked neither count nor extend the lockout") {
  LockoutPolicy policy;
  auto s = fail_times({}, policy, 5, kT0);
  const auto until = s.locked_until;
  s = fail_times(s, policy, 20, kT0 + 60s);
  CHECK(s.locked_until == until);
  CHECK(s.failures == 0);
  CHECK(s.lockouts == 1);
}

TEST_CASE("repeated lockouts double up to the maximum, and are forgotten after a quiet day") {
  LockoutPolicy policy;
  policy.lockout = 60s;
  policy.max_lockout = 300s;
  CHECK(lockout_duration(1, policy) == 60s);
  CHECK(lockout_duration(2, policy) == 120s);
  CHECK(lockout_duration(3, policy) == 240s);
  CHECK(lockout_duration(4, policy) == 300s);
  CHECK(lockout_duration(60, policy) == 300s);

  auto t = kT0;
  auto s = fail_times({}, policy, 5, t);
  CHECK(s.locked_until == t + 60s);
  t += 61s;
  s = fail_times(s, policy, 5, t);
  CHECK(s.lockouts == 2);
  CHECK(s.locked_until == t + 120s);
  t += 25h;
  s = fail_times(s, policy, 5, t);
  CHECK(s.lockouts == 1);
  CHECK(s.locked_until == t + 60s);
}

TEST_CASE("old failures are forgotten: occasional typos never add up to a lockout") {
  LockoutPolicy policy;
  auto t = kT0;
  LoginThrottleState s;
  for (int i = 0; i < 20; ++i) {
    s = after_failed_login(s, policy, t);
    t += policy.failure_window + 1s;
  }
  CHECK(s.failures == 1);
  CHECK_FALSE(lockout_remaining(s, t));
}

TEST_CASE("a policy of one failure locks at once") {
  LockoutPolicy policy;
  policy.max_failures = 1;
  policy.lockout = 1s;
  auto s = after_failed_login({}, policy, kT0);
  CHECK(lockout_remaining(s, kT0) == 1s);
}

TEST_CASE("token bucket: a burst of failures, then one per refill interval") {
  RateLimiter limiter(RateLimit{3, 6, 100});  // 3 at once, then one every 10 s
  const auto t0 = RateLimiter::Clock::now();
  CHECK_FALSE(limiter.blocked_for("10.0.0.1", t0));
  for (int i = 0; i < 3; ++i) limiter.consume("10.0.0.1", t0);
  auto wait = limiter.blocked_for("10.0.0.1", t0);
  REQUIRE(wait);
  CHECK(*wait == 10s);
  CHECK_FALSE(limiter.blocked_for("10.0.0.2", t0));  // other clients are not affected
  CHECK(limiter.blocked_for("10.0.0.1", t0 + 5s) == 5s);
  CHECK_FALSE(limiter.blocked_for("10.0.0.1", t0 + 10s));
  limiter.consume("10.0.0.1", t0 + 10s);
  CHECK(limiter.blocked_for("10.0.0.1", t0 + 10s));
  CHECK_FALSE(limiter.blocked_for("10.0.0.1", t0 + 1h));
}

TEST_CASE("token bucket memory is bounded") {
  RateLimiter limiter(RateLimit{2, 1, 50});
  const auto t0 = RateLimiter::Clock::now();
  for (int i = 0; i < 1000; ++i) {
    auto key = "client" + std::to_string(i);
    limiter.consume(key, t0);
    limiter.consume(key, t0);
  }
  CHECK(limiter.tracked_clients() <= 50);
  // The most recent client is still throttled.
  CHECK(limiter.blocked_for("client999", t0));
}

TEST_CASE("clients are keyed by IP, IPv6 by its /64") {
  CHECK(client_key("127.0.0.1:5555") == "127.0.0.1");
  CHECK(client_key("192.0.2.7:1") == client_key("192.0.2.7:2"));
  CHECK(client_key("2001:db8:1:2:aaaa::1:443") == "2001:db8:1:2::/64");
  CHECK(client_key("2001:db8:1:2:bbbb::9:443") == client_key("2001:db8:1:2:aaaa::1:443"));
  CHECK(client_key("2001:db8:1:3::1:443") != client_key("2001:db8:1:2::1:443"));
  CHECK(client_key("::ffff:192.0.2.7:80") == "192.0.2.7");
  CHECK(client_key("unknown") == "unknown");
}
