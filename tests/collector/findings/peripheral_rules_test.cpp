// Findings rules about batteries and printing.
#include <catch2/catch.hpp>

#include "tests/collector/findings/snapshot_builders.hpp"

using namespace triage::collector;
using namespace triage::collector::testing;

TEST_CASE("battery.worn: health below 60 % of design capacity", "[findings][peripherals]") {
  auto s = empty_snapshot();
  SECTION("fires") {
    add_battery(s, "BAT0", 28.1, 57.0);
    auto f = findings_of(s, "battery.worn");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::kWarning);
    CHECK(f[0].subject == "BAT0");
    CHECK(f[0].title == "Battery BAT0 worn (49 % of design capacity)");
    CHECK(f[0].evidence ==
          "BAT0 (5B10W13975): health 49.3 %, full charge 28.1 Wh of 57.0 Wh "
          "design; 400 charge cycles");
  }
  SECTION("just above: nothing") {
    add_battery(s, "BAT0", 34.2, 57.0);  // 60.0 %
    CHECK(findings_of(s, "battery.worn").empty());
  }
  SECTION("health not reported (no energy_full_design): nothing") {
    add_battery(s, "BAT0", 28.1, 57.0).clear_health_percent();
    CHECK(findings_of(s, "battery.worn").empty());
  }
}

TEST_CASE("print.stuck_jobs: one finding per printer with stuck jobs", "[findings][peripherals]") {
  auto s = empty_snapshot();
  auto* printer = s.mutable_health()->mutable_printing()->add_printers();
  printer->set_name("Office_HP");
  printer->set_state(triage::v1::Printer::STOPPED);
  printer->set_accepting(true);
  printer->set_message("Paused");
  SECTION("fires with the oldest job's age and the printer state") {
    add_print_job(s, "Office_HP", "Office_HP-41", 2 * kHourMs + 5 * kMinuteMs, true);
    add_print_job(s, "Office_HP", "Office_HP-42", 12 * kMinuteMs, true);
    add_print_job(s, "Lab", "Lab-7", 11 * kMinuteMs, true);
    auto f = findings_of(s, "print.stuck_jobs");
    REQUIRE(f.size() == 2);
    CHECK(f[0].subject == "Lab");
    CHECK(f[1].subject == "Office_HP");
    CHECK(f[1].severity == Severity::kWarning);
    CHECK(f[1].evidence ==
          "2 stuck jobs on Office_HP, oldest submitted 2 h 5 min before the "
          "snapshot; printer stopped; CUPS says \"Paused\"");
    CHECK(f[1].suggested_actions == std::vector<std::string>{"clear-print-queue"});
  }
  SECTION("jobs waiting but not stuck: nothing") {
    add_print_job(s, "Office_HP", "Office_HP-42", 9 * kMinuteMs, false);
    CHECK(findings_of(s, "print.stuck_jobs").empty());
  }
  SECTION("Windows: a job left while the print spooler is stopped") {
    add_print_job(s, "Office_HP", "Office_HP-14", 3 * kHourMs, true);
    auto* pr = s.mutable_health()->mutable_printing();
    pr->set_cups_available(false);
    pr->set_spooler("Windows print spooler");
    pr->set_spooler_running(false);
    pr->mutable_printers(0)->set_message("spooler not running");
    auto f = findings_of(s, "print.stuck_jobs");
    REQUIRE(f.size() == 1);
    CHECK(f[0].subject == "Office_HP");
    CHECK(f[0].evidence ==
          "1 stuck job on Office_HP, oldest submitted 3 h before the snapshot; printer "
          "stopped; the spooler says \"spooler not running\"; Windows print spooler not running");
  }
  SECTION("CUPS not available: nothing") {
    add_print_job(s, "Office_HP", "Office_HP-42", kHourMs, true);
    s.mutable_health()->mutable_printing()->set_cups_available(false);
    CHECK(findings_of(s, "print.stuck_jobs").empty());
  }
}
