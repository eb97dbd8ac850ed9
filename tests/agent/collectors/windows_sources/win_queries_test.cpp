// The query texts of the live WinHost: WQL selects and Event Log XPath, and the names that are
// refused because they would change a query's meaning.
#include <catch2/catch.hpp>

#include "agent/collectors/windows_sources/win_queries.hpp"

using namespace triage::agent;
using triage::ErrorCode;

TEST_CASE("wql_select names the properties asked for, or every one", "[windows][wmi]") {
  CHECK(wql_select("Win32_OperatingSystem", {"Caption", "BuildNumber"}).value() ==
        "SELECT Caption,BuildNumber FROM Win32_OperatingSystem");
  CHECK(wql_select("Win32_Battery", {}).value() == "SELECT * FROM Win32_Battery");
}

TEST_CASE("wql_select refuses names that are not WMI identifiers", "[windows][wmi]") {
  auto where = wql_select("Win32_Process WHERE Name='x'", {"Name"});
  REQUIRE_FALSE(where);
  CHECK(where.error().code == ErrorCode::kInvalid);
  CHECK_FALSE(wql_select("Win32_Process", {"Name", "1 FROM x;"}));
  CHECK_FALSE(wql_select("", {"Name"}));
  CHECK_FALSE(wql_select("Win32_Process", {""}));
  CHECK_FALSE(wql_select(std::string(300, 'A'), {}));
}

TEST_CASE("event_xpath combines providers, ids, levels and a start time", "[windows][events]") {
  EventQuery q;
  q.log = "System";
  CHECK(event_xpath(q).value() == "*");

  q.providers = {"Service Control Manager"};
  q.event_ids = {7000, 7031};
  q.max_level = 2;
  q.since_unix_ms = 1705311000123;  // 2024-01-15T09:30:00.123Z
  CHECK(event_xpath(q).value() ==
        "*[System[Provider[@Name='Service Control Manager'] and (EventID=7000 or EventID=7031) "
        "and Level<=2 and TimeCreated[@SystemTime>='2024-01-15T09:30:00.123Z']]]");

  EventQuery two;
  two.providers = {"Microsoft-Windows-Kernel-Power", "EventLog"};
  CHECK(event_xpath(two).value() ==
        "*[System[(Provider[@Name='Microsoft-Windows-Kernel-Power'] or "
        "Provider[@Name='EventLog'])]]");
}

TEST_CASE("event_xpath refuses provider names that would end the literal", "[windows][events]") {
  EventQuery q;
  q.providers = {"x'] or 1=1 or Provider[@Name='y"};
  auto xpath = event_xpath(q);
  REQUIRE_FALSE(xpath);
  CHECK(xpath.error().code == ErrorCode::kInvalid);
  q.providers = {std::string("a\nb")};
  CHECK_FALSE(event_xpath(q));
  q.providers = {""};
  CHECK_FALSE(event_xpath(q));
}

TEST_CASE("event_system_time writes UTC with milliseconds", "[windows][events]") {
  CHECK(event_system_time(0) == "1970-01-01T00:00:00.000Z");
  CHECK(event_system_time(1705311000123) == "2024-01-15T09:30:00.123Z");
}
