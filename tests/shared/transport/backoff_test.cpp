#include <catch2/catch.hpp>

#include "shared/transport/backoff.hpp"

using namespace std::chrono_literals;
using triage::transport::Backoff;

TEST_CASE("backoff ceilings double up to the cap and delays stay within them") {
  Backoff backoff(1000ms, 300'000ms, 7);
  std::chrono::milliseconds expected_ceiling = 1000ms;
  for (int attempt = 0; attempt < 20; ++attempt) {
    CHECK(backoff.current_ceiling() == std::min(expected_ceiling, 300'000ms));
    auto delay = backoff.next();
    CHECK(delay >= 0ms);
    CHECK(delay <= std::min(expected_ceiling, 300'000ms));
    expected_ceiling *= 2;
  }
  backoff.reset();
  CHECK(backoff.current_ceiling() == 1000ms);
}

TEST_CASE("full jitter spreads a crowd over the whole window") {
  // 10,000 agents at their 8th failure: delays cover [0, 128 s] roughly uniformly.
  int buckets[4] = {};
  for (std::uint64_t seed = 0; seed < 10'000; ++seed) {
    Backoff b(1000ms, 300'000ms, seed);
    for (int i = 0; i < 7; ++i) b.next();
    auto d = b.next();
    REQUIRE(d <= 128'000ms);
    buckets[std::min<int>(3, static_cast<int>(d.count() / 32'000))]++;
  }
  for (int count : buckets) CHECK(count > 2000);
}
