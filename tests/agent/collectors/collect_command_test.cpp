// `triage-agent collect` through run_collect_command.
#include <google/protobuf/util/json_util.h>

#include <catch2/catch.hpp>
#include <sstream>

#include "agent/collectors/collect_command.hpp"
#include "tests/agent/collectors/fixture_support.hpp"

using namespace triage::agent;

TEST_CASE("collect prints a human summary of a fixture machine", "[collect]") {
  CollectCommandOptions o;
  o.sysroot = testing::fixture_root("desktop");
  std::ostringstream out, err;
  CHECK(run_collect_command(o, out, err) == 0);
  auto text = out.str();
  CHECK(err.str().empty());
  CHECK_THAT(text, Catch::StartsWith("triage snapshot of ws-acct-042"));
  CHECK_THAT(text, Catch::Contains("! disk sdb SMART health FAILING"));
  CHECK_THAT(text, Catch::Contains("! filesystem /data 98% full"));
  CHECK_THAT(text, Catch::Contains("! 2 stuck print job(s)"));
  CHECK_THAT(text, Catch::Contains("Ubuntu 22.04.4 LTS"));
  CHECK_THAT(text, Catch::Contains("UNAVAILABLE probes"));
  CHECK(text.find("Hunter2Secret") == std::string::npos);
}

TEST_CASE("collect flags a CPU over its temperature limit", "[collect]") {
  CollectCommandOptions o;
  o.only = {"hardware"};
  o.sysroot = testing::fixture_root("laptop");
  std::ostringstream out, err;
  REQUIRE(run_collect_command(o, out, err) == 0);
  CHECK_THAT(out.str(), Catch::Contains("! coretemp Package id 0 at 96 C (limit 95 C)"));
  CHECK_THAT(out.str(), Catch::Contains("! battery BAT0 worn (52% of design)"));
  CHECK_THAT(out.str(), Catch::Contains("Fan:              thinkpad fan1 4521 RPM"));
}

TEST_CASE("collect --json prints protobuf's JSON mapping", "[collect]") {
  CollectCommandOptions o;
  o.json = true;
  o.only = {"system,hardware"};
  o.sysroot = testing::fixture_root("laptop");
  std::ostringstream out, err;
  REQUIRE(run_collect_command(o, out, err) == 0);
  triage::v1::Snapshot parsed;
  REQUIRE(google::protobuf::util::JsonStringToMessage(out.str(), &parsed).ok());
  CHECK(parsed.system().hostname() == "lt-sales-17");
  CHECK(parsed.hardware().batteries(0).health_percent() == Approx(52.0));
  CHECK_FALSE(parsed.has_software());
  for (const auto& c : parsed.collectors())
    CHECK((c.category() == "system" || c.category() == "hardware"));
}

TEST_CASE("collect exits 0 when collectors fail, and lists them", "[collect]") {
  CollectCommandOptions o;
  o.sysroot = testing::fixture_root("container");
  std::ostringstream out, err;
  CHECK(run_collect_command(o, out, err) == 0);
  CHECK_THAT(out.str(),
             Catch::Contains("UNAVAILABLE systemd_units: systemd not running (PID 1 is sh)"));
}

TEST_CASE("collect rejects unknown categories and listing the valid ones", "[collect]") {
  CollectCommandOptions o;
  o.only = {"system", "disks"};
  std::ostringstream out, err;
  CHECK(run_collect_command(o, out, err) == 2);
  CHECK(out.str().empty());
  CHECK(err.str() ==
        "triage-agent collect: unknown category `disks` in --only; valid categories: system, "
        "hardware, software, network, health, security\n");
  CollectCommandOptions bad_root;
  bad_root.sysroot = "/nonexistent/sysroot";
  std::ostringstream out2, err2;
  CHECK(run_collect_command(bad_root, out2, err2) == 2);
  CHECK_THAT(err2.str(), Catch::Contains("not a directory"));
}
