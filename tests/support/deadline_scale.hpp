#pragma once
// One multiplier for every deadline a test waits on. A sanitizer build runs the tests and the
// product processes they start several times slower, so a deadline that is generous in a
// plain build can pass before a correct collector has answered. Tests never scale their own
// deadlines: the polling helpers (eventually, ChildProcess, run_command) do, through this.

#include <chrono>

namespace triage::testing {

/// How many times longer tests wait for what they poll: TRIAGE_TEST_DEADLINE_SCALE when it is
/// a number of at least 1; otherwise 1 in a plain build, 3 under ASan + UBSan and 5 under TSan.
double deadline_scale();

/// `timeout` multiplied by deadline_scale().
std::chrono::milliseconds scaled(std::chrono::milliseconds timeout);

}  // namespace triage::testing
