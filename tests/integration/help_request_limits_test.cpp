// One device cannot open tickets without limit through help requests: beyond its rate or its
// daily cap the collector refuses them, and `triage-agent get-help` tells the end user why.

#include <catch2/catch.hpp>

#include "tests/support/collector_fixture.hpp"

using namespace triage::testing;

namespace {

CommandResult get_help(AgentFixture& agent, CollectorFixture& c, const std::string& text) {
  return run_command({binary("triage-agent"), "get-help", "--state", agent.state_dir().string(),
                      "--config", agent.config_path().string(), "--wait", "20", text},
                     c.root());
}

}  // namespace

TEST_CASE("help requests beyond a device's daily cap are refused and the end user is told why",
          "[integration][tickets]") {
  CollectorFixture c("[tickets]\nhelp_requests_per_day = 2\n");
  AgentFixture agent(c, "a");
  REQUIRE(agent.enroll().exit_code == 0);
  agent.start();
  REQUIRE(eventually([&] { return device_online(c, agent.device_id()); }));
  for (const char* text : {"printer does not print", "no sound"}) {
    auto r = get_help(agent, c, text);
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("Your request is ticket "));
  }
  auto refused = get_help(agent, c, "still no sound");
  INFO(refused.out << refused.err);
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.out, Catch::Contains("could not accept your request") &&
                              Catch::Contains("2 help requests in the last 24 hours"));
  auto list = c.get("/api/v1/tickets?device_id=" + agent.device_id(), c.admin_token());
  CHECK(list.body["total"] == 2);
}

TEST_CASE("help requests faster than a device's rate are refused", "[integration][tickets]") {
  CollectorFixture c("[tickets]\nhelp_request_burst = 1\nhelp_requests_per_hour = 1\n");
  AgentFixture agent(c, "a");
  REQUIRE(agent.enroll().exit_code == 0);
  agent.start();
  REQUIRE(eventually([&] { return device_online(c, agent.device_id()); }));
  auto first = get_help(agent, c, "printer does not print");
  INFO(first.out << first.err);
  REQUIRE(first.exit_code == 0);
  auto second = get_help(agent, c, "printer still does not print");
  INFO(second.out << second.err);
  CHECK(second.exit_code == 1);
  CHECK_THAT(second.out, Catch::Contains("try again in"));
}
