// The one multiplier for polled deadlines: sanitizer runs stretch every deadline a test polls
// through one setting, never test by test.

#include <catch2/catch.hpp>
#include <chrono>

#include "tests/support/deadline_scale.hpp"
#include "tests/support/scoped_env.hpp"

namespace {

using namespace std::chrono_literals;
using triage::testing::deadline_scale;
using triage::testing::scaled;

// TRIAGE_TEST_DEADLINE_SCALE as `value` (unset when null) for one test case.
triage::testing::ScopedEnv scale_setting(const char* value) {
  return {"TRIAGE_TEST_DEADLINE_SCALE", value};
}

}  // namespace

TEST_CASE("TRIAGE_TEST_DEADLINE_SCALE multiplies the deadlines tests poll") {
  auto setting = scale_setting("4");
  CHECK(deadline_scale() == 4);
  CHECK(scaled(250ms) == 1000ms);
}

TEST_CASE("a deadline scale below 1 or not a number is ignored") {
  double build_default = 0;
  {
    auto unset = scale_setting(nullptr);
    build_default = deadline_scale();
  }
  CHECK(build_default >= 1);
  for (const char* bad : {"0.5", "0", "-2", "fast", "3x", ""}) {
    auto setting = scale_setting(bad);
    CHECK(deadline_scale() == build_default);
  }
}
