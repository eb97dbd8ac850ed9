// windows_join: an Entra-joined laptop and a domain member server, hybrid and workplace joins,
// and answers of the wrong shape.
#include <catch2/catch.hpp>

#include "tests/agent/collectors/windows_sources/scratch_machine_support.hpp"

using namespace triage::agent;
namespace v1 = triage::v1;

TEST_CASE("windows_join: an Entra joined laptop", "[windows_join][recorded][win11-laptop]") {
  auto snap = testing::recorded_collect("win11-laptop", "windows_join");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& windows = snap.system().windows();
  CHECK(windows.join_state() == v1::WindowsSystem::ENTRA);
  CHECK(windows.domain() == "WORKGROUP");
  CHECK(windows.entra_tenant() == "Example Corp");
}

TEST_CASE("windows_join: a domain member", "[windows_join][recorded][server2022]") {
  auto snap = testing::recorded_collect("server2022", "windows_join");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& windows = snap.system().windows();
  CHECK(windows.join_state() == v1::WindowsSystem::DOMAIN);
  CHECK(windows.domain() == "corp.example.com");
  CHECK(windows.entra_tenant().empty());
}

TEST_CASE("windows_join: other joins and hostile answers", "[windows_join]") {
  testing::ScratchMachine m;
  SECTION("hybrid: a domain and an Entra device join, the tenant by id") {
    m.write("api/join_state.json",
            R"({"status": "domain", "netbios_name": "CORP", "dns_domain": "",
                "entra": {"join_type": "device", "tenant_id": "3f7c9a12"}})");
    auto windows = m.collect("windows_join").system().windows();
    CHECK(windows.join_state() == v1::WindowsSystem::HYBRID);
    CHECK(windows.domain() == "CORP");  // no DNS name: the NetBIOS one
    CHECK(windows.entra_tenant() == "3f7c9a12");
  }
  SECTION("a work account on a workgroup machine is not a join") {
    m.write("api/join_state.json",
            R"({"status": "workgroup", "netbios_name": "HOME",
                "entra": {"join_type": "workplace", "tenant_display_name": "Example Corp"}})");
    auto snap = m.collect("windows_join");
    CHECK(snap.system().windows().join_state() == v1::WindowsSystem::WORKGROUP);
    CHECK(snap.system().windows().domain() == "HOME");
    CHECK(snap.system().windows().entra_tenant().empty());
    CHECK_THAT(snap.collectors(0).message(), Catch::Contains("workplace join"));
  }
  SECTION("fields of the wrong type") {
    m.write("api/join_state.json", R"({"status": 2, "netbios_name": ["CORP"], "entra": "yes"})");
    auto snap = m.collect("windows_join");
    REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
    CHECK(snap.system().windows().join_state() == v1::WindowsSystem::JOIN_UNKNOWN);
    CHECK(snap.system().windows().domain().empty());
  }
  SECTION("not an object") {
    m.write("api/join_state.json", R"("domain")");
    CHECK(m.collect("windows_join").collectors(0).outcome() == v1::CollectorStatus::FAILED);
  }
  SECTION("no answer") {
    CHECK(m.collect("windows_join").collectors(0).outcome() == v1::CollectorStatus::UNAVAILABLE);
  }
}
