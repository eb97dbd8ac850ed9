#include <catch2/catch.hpp>

#include "shared/util/token_bucket.hpp"

using namespace std::chrono_literals;
using triage::TokenBucket;

TEST_CASE("a token bucket serves its burst at once, then its rate, and says how long to wait") {
  const auto t0 = TokenBucket::Clock::time_point{} + 1h;
  TokenBucket bucket(20, 5, t0);
  for (int i = 0; i < 5; ++i) CHECK(bucket.take(t0) == 0ms);
  // Empty: the next token comes in 1/20 s.
  CHECK(bucket.take(t0) == 51ms);
  // The refused take spent nothing; 100 ms later two tokens have come.
  CHECK(bucket.take(t0 + 100ms) == 0ms);
  // It never holds more than its burst, however long it rested.
  const auto later = t0 + 1h;
  for (int i = 0; i < 5; ++i) CHECK(bucket.take(later) == 0ms);
  CHECK(bucket.take(later) > 0ms);
}

TEST_CASE("a clock that steps back never adds tokens") {
  const auto t0 = TokenBucket::Clock::time_point{} + 1h;
  TokenBucket bucket(1, 1, t0);
  CHECK(bucket.take(t0) == 0ms);
  CHECK(bucket.take(t0 - 10s) > 0ms);
}
