// The sessions collector: utmp records of live user sessions.
#include <catch2/catch.hpp>

#include "agent/collectors/linux/sessions.hpp"
#include "tests/agent/collectors/fixture_support.hpp"
#include "tests/agent/collectors/linux/hostile_inputs.hpp"

using namespace triage::agent;

TEST_CASE("sessions: desktop users, stale records left out", "[sessions][fixture][desktop]") {
  auto s = testing::fixture_collect("desktop", "sessions").system();
  // Stale utmp records (process gone) and non-user records are left out.
  REQUIRE(s.sessions_size() == 2);
  CHECK(s.sessions(0).user() == "alice");
  CHECK(s.sessions(0).tty() == "tty2");
  CHECK(s.sessions(0).remote_host() == ":0");
  CHECK(s.sessions(0).login_time_unix_ms() == 1717990100000);
  CHECK(s.sessions(1).user() == "bob");
  CHECK(s.sessions(1).remote_host() == "10.0.0.7");
}

TEST_CASE("sessions: a truncated utmp yields only whole records", "[sessions][parsers]") {
  CHECK(parse_utmp(std::string(383, '\0')).empty());
}

TEST_CASE("sessions: the parser survives hostile input", "[sessions][parsers][robustness]") {
  for (const auto& input : testing::hostile_inputs()) (void)parse_utmp(input);
  SUCCEED();
}
