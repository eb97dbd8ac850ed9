#include <catch2/catch.hpp>

#include "collector/tickets/help_request_limiter.hpp"

using namespace triage::collector;
using namespace std::chrono_literals;

TEST_CASE("a device's help requests: a burst, then a rate, and a cap per 24 hours") {
  HelpRequestLimiter limiter({.burst = 2, .per_hour = 2, .per_day = 3});
  const auto t0 = HelpRequestLimiter::Clock::time_point{} + 1000h;
  CHECK(limiter.admit("a", t0));
  CHECK(limiter.admit("a", t0));
  auto third = limiter.admit("a", t0);
  REQUIRE_FALSE(third);
  CHECK_THAT(third.error().message, Catch::Contains("try again in 31 minutes"));
  // Another device has its own budget.
  CHECK(limiter.admit("b", t0));
  // Half an hour later one more token has come: the third of the day.
  CHECK(limiter.admit("a", t0 + 31min));
  auto capped = limiter.admit("a", t0 + 3h);
  REQUIRE_FALSE(capped);
  CHECK_THAT(capped.error().message, Catch::Contains("3 help requests in the last 24 hours"));
  // A day after the first ones, the cap has room again.
  CHECK(limiter.admit("a", t0 + 24h + 1min));
}
