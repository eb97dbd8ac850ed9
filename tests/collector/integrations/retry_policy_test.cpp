// The retry schedule of outbound deliveries: exponential up to a cap, jittered within
// [ceiling/2, ceiling], bounded by attempts and age.

#include <catch2/catch.hpp>

#include "collector/integrations/retry_policy.hpp"

using namespace triage::collector;
using namespace std::chrono_literals;

TEST_CASE("backoff doubles from the base up to the cap") {
  RetryPolicy policy({1s, 60s, 20, 24h});
  const std::chrono::milliseconds expected[] = {1s, 2s, 4s, 8s, 16s, 32s, 60s, 60s};
  for (int attempts = 1; attempts <= 8; ++attempts) {
    INFO("after attempt " << attempts);
    CHECK(policy.ceiling(attempts) == expected[attempts - 1]);
  }
  CHECK(policy.ceiling(1000) == 60s);  // no overflow far past the cap
  CHECK(policy.ceiling(0) == 1s);
}

TEST_CASE("jitter stays within half the ceiling and the ceiling") {
  RetryPolicy policy({10s, 3600s, 20, 24h});
  CHECK(policy.delay(1, 0.0) == 5s);
  CHECK(policy.delay(1, 1.0) == 10s);
  CHECK(policy.delay(3, 0.5) == 30s);
  CHECK(policy.delay(3, -1.0) == 20s);  // clamped
  std::mt19937_64 rng(42);
  for (int attempts = 1; attempts <= 12; ++attempts) {
    for (int i = 0; i < 50; ++i) {
      const auto d = policy.delay(attempts, rng);
      CHECK(d >= policy.ceiling(attempts) / 2);
      CHECK(d <= policy.ceiling(attempts));
    }
  }
}

TEST_CASE("retries stop at the attempt limit or the maximum age") {
  RetryPolicy policy({1s, 60s, 3, 1h});
  const TimePoint queued{};
  CHECK(policy.may_retry(1, queued, queued + 1s));
  CHECK(policy.may_retry(2, queued, queued + 59min));
  CHECK_FALSE(policy.may_retry(3, queued, queued + 1s));     // three attempts made: done
  CHECK_FALSE(policy.may_retry(1, queued, queued + 61min));  // the retry would be too late
}
