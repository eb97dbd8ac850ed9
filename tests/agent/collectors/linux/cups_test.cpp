// The cups collector: printers, queued jobs and stuck jobs.
#include <catch2/catch.hpp>

#include "agent/collectors/linux/cups.hpp"
#include "tests/agent/collectors/fixture_support.hpp"
#include "tests/agent/collectors/linux/hostile_inputs.hpp"

using namespace triage::agent;
using testing::find_if;
namespace v1 = triage::v1;

TEST_CASE("cups: desktop printers and stuck jobs", "[cups][fixture][desktop]") {
  auto h = testing::fixture_collect("desktop", "cups").health();
  const auto& pr = h.printing();
  CHECK(pr.cups_available());
  REQUIRE(pr.printers_size() == 2);
  const auto* zebra = find_if(pr.printers(), [](auto& p) { return p.name() == "Label_Zebra"; });
  REQUIRE(zebra);
  CHECK(zebra->state() == v1::Printer::STOPPED);
  CHECK(zebra->message() == "Paused");
  CHECK_FALSE(zebra->is_default());
  const auto* hp = find_if(pr.printers(), [](auto& p) { return p.name() == "Office_HP"; });
  REQUIRE(hp);
  CHECK(hp->is_default());
  CHECK(hp->state() == v1::Printer::IDLE);
  CHECK(hp->queued_jobs() == 2);
  REQUIRE(pr.jobs_size() == 3);
  CHECK(pr.jobs(0).id() == "Office_HP-42");
  CHECK(pr.jobs(0).user() == "alice");
  CHECK(pr.jobs(0).size_bytes() == 102400);
  CHECK(pr.jobs(0).submitted_unix_ms() == 1717995600000);
  CHECK(pr.jobs(0).stuck());        // 73 minutes old
  CHECK_FALSE(pr.jobs(1).stuck());  // 3 minutes old
  CHECK(pr.jobs(2).stuck());        // printer stopped
  CHECK(pr.stuck_jobs() == 2);
}

TEST_CASE("cups: the lpstat parser survives hostile input", "[cups][parsers][robustness]") {
  for (const auto& input : testing::hostile_inputs()) (void)parse_lpstat(input, false);
  SUCCEED();
}

TEST_CASE("lpstat: a default destination line with nothing after the colon",
          "[cups][parsers][robustness]") {
  // Found by the proc_parsers fuzz target: the name was cut at a fixed offset one past the
  // colon, and a line ending at the colon threw out_of_range.
  auto r = parse_lpstat("system default destination:\nsystem default destination: Office\n", false);
  CHECK(r.default_printer == "Office");
  CHECK(parse_lpstat("system default destination:", false).default_printer.empty());
}
