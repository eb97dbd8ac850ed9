// Reconnect timing: exponential backoff with full jitter, capped at 5 minutes, and the
// collector's retry_after respected (bounded). A unit test on the schedule, not a timed test.

#include <catch2/catch.hpp>

#include "agent/service/agent_runtime.hpp"
#include "agent/service/reconnect_policy.hpp"

using namespace std::chrono_literals;
using triage::agent::reconnect_delay;
using triage::transport::Backoff;

TEST_CASE("the agent's reconnect delays stay within the jittered exponential bounds") {
  triage::agent::AgentRunOptions defaults;
  CHECK(defaults.backoff_cap == 300'000ms);
  Backoff backoff(defaults.backoff_base, defaults.backoff_cap, 42);
  std::chrono::milliseconds ceiling = defaults.backoff_base;
  for (int attempt = 0; attempt < 30; ++attempt) {
    auto delay = reconnect_delay(backoff, std::nullopt);
    CHECK(delay >= 0ms);
    CHECK(delay <= std::min(ceiling, 300'000ms));
    ceiling *= 2;
  }
  CHECK(backoff.current_ceiling() == 300'000ms);
}

TEST_CASE("a refusal's retry_after is a floor, and is capped") {
  Backoff backoff(1000ms, 300'000ms, 1);
  CHECK(reconnect_delay(backoff, 120s) >= 120'000ms);
  CHECK(reconnect_delay(backoff, 120s) <= 300'000ms);
  CHECK(reconnect_delay(backoff, std::chrono::seconds(7 * 24 * 3600)) == 3'600'000ms);
}

TEST_CASE("after a success the next delay starts small again") {
  Backoff backoff(1000ms, 300'000ms, 3);
  for (int i = 0; i < 12; ++i) reconnect_delay(backoff, std::nullopt);
  backoff.reset();
  CHECK(reconnect_delay(backoff, std::nullopt) <= 1000ms);
}
