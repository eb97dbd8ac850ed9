// windows_sessions: the console user of a laptop, RDP sessions of a server (one disconnected),
// without the service and listener sessions; and hostile lists.
#include <catch2/catch.hpp>

#include "tests/agent/collectors/windows_sources/scratch_machine_support.hpp"

using namespace triage::agent;
namespace v1 = triage::v1;

TEST_CASE("windows_sessions: the laptop's console user",
          "[windows_sessions][recorded][win11-laptop]") {
  auto snap = testing::recorded_collect("win11-laptop", "windows_sessions");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& sessions = snap.system().sessions();
  REQUIRE(sessions.size() == 1);
  CHECK(sessions[0].user() == "AzureAD\\MariaKeller");
  CHECK(sessions[0].tty() == "Console");
  CHECK(sessions[0].remote_host().empty());
  CHECK(sessions[0].login_time_unix_ms() == 1796025483000);
}

TEST_CASE("windows_sessions: administrators on a server",
          "[windows_sessions][recorded][server2022]") {
  auto snap = testing::recorded_collect("server2022", "windows_sessions");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& sessions = snap.system().sessions();
  // Session 0, the console at the logon screen and the RDP listener have no user.
  REQUIRE(sessions.size() == 2);
  CHECK(sessions[0].user() == "CORP\\adm.tmueller");
  CHECK(sessions[0].tty() == "session 2 (disconnected)");
  CHECK(sessions[0].login_time_unix_ms() == 1795960975000);
  CHECK(sessions[1].user() == "CORP\\adm.jschmidt");
  CHECK(sessions[1].tty() == "RDP-Tcp#3");
  CHECK(sessions[1].remote_host() == "LT-IT-007");
  CHECK(sessions[1].login_time_unix_ms() == 1796110278000);
}

TEST_CASE("windows_sessions: hostile answers", "[windows_sessions]") {
  testing::ScratchMachine m;
  SECTION("entries of the wrong type are skipped") {
    m.write("api/sessions.json",
            R"({"sessions": [42, "x", null, {"session_id": "one", "user": "a"},
                {"session_id": 4, "user": {"name": "b"}},
                {"session_id": 5, "user": "c", "logon_time_unix_ms": "soon"}]})");
    auto snap = m.collect("windows_sessions");
    REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
    REQUIRE(snap.system().sessions_size() == 1);
    CHECK(snap.system().sessions(0).user() == "c");
    CHECK(snap.system().sessions(0).tty() == "session 5");
    CHECK(snap.system().sessions(0).login_time_unix_ms() == 0);
  }
  SECTION("a huge list is capped") {
    std::string list = R"({"sessions": [)";
    for (int i = 1; i <= 400; ++i) {
      if (i > 1) list += ",";
      list += R"({"session_id": )" + std::to_string(i) + R"(, "user": "u)" + std::to_string(i) +
              R"(", "station": "RDP-Tcp#)" + std::to_string(i) + R"("})";
    }
    m.write("api/sessions.json", list + "]}");
    auto snap = m.collect("windows_sessions");
    REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
    CHECK(snap.system().sessions_size() == 256);
    CHECK_THAT(snap.collectors(0).message(), Catch::Contains("left out"));
  }
  SECTION("no list") {
    m.write("api/sessions.json", R"({"sessions": {"1": "x"}})");
    CHECK(m.collect("windows_sessions").collectors(0).outcome() == v1::CollectorStatus::FAILED);
  }
}
