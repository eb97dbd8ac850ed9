// windows_cpu: a hybrid laptop processor under virtualization-based security (not a virtual
// machine), two server sockets in two processor groups, and garbled topology answers.
#include <catch2/catch.hpp>

#include "tests/agent/collectors/windows_sources/scratch_machine_support.hpp"

using namespace triage::agent;
namespace v1 = triage::v1;

TEST_CASE("windows_cpu: a Core i7-1255U", "[windows_cpu][recorded][win11-laptop]") {
  auto snap = testing::recorded_collect("win11-laptop", "windows_cpu");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& cpu = snap.hardware().cpu();
  CHECK(cpu.model_name() == "12th Gen Intel(R) Core(TM) i7-1255U");
  CHECK(cpu.vendor() == "GenuineIntel");
  CHECK(cpu.max_mhz() == 2611);
  CHECK_FALSE(cpu.has_current_mhz());
  CHECK(cpu.sockets() == 1);
  CHECK(cpu.physical_cores() == 10);
  CHECK(cpu.logical_cpus() == 12);
  // Hyper-V runs underneath (Memory Integrity) but Windows is its root partition.
  CHECK_FALSE(cpu.hypervisor());
  CHECK_THAT(snap.collectors(0).message(), Catch::Contains("root partition"));
}

TEST_CASE("windows_cpu: two Xeon Gold 5318Y", "[windows_cpu][recorded][server2022]") {
  auto snap = testing::recorded_collect("server2022", "windows_cpu");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& cpu = snap.hardware().cpu();
  CHECK(cpu.model_name() == "Intel(R) Xeon(R) Gold 5318Y CPU @ 2.10GHz");  // padding trimmed
  CHECK(cpu.max_mhz() == 2095);
  CHECK(cpu.sockets() == 2);
  CHECK(cpu.physical_cores() == 48);
  CHECK(cpu.logical_cpus() == 96);
  CHECK_FALSE(cpu.hypervisor());
}

TEST_CASE("windows_cpu: a guest and hostile answers", "[windows_cpu]") {
  testing::ScratchMachine m("win11-laptop");
  SECTION("a virtual machine") {
    m.write("api/processors.json",
            R"({"sockets": 1, "cores": 4, "logical_processors": 4, "hypervisor_present": true,
                "hypervisor_vendor": "VMwareVMware", "root_partition": false})");
    CHECK(m.collect("windows_cpu").hardware().cpu().hypervisor());
  }
  SECTION("counts of the wrong type or out of range") {
    m.write("api/processors.json",
            R"({"sockets": "two", "cores": -4, "logical_processors": 1e12,
                "hypervisor_present": "yes"})");
    auto snap = m.collect("windows_cpu");
    REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
    const auto& cpu = snap.hardware().cpu();
    CHECK(cpu.sockets() == 0);
    CHECK(cpu.physical_cores() == 0);
    CHECK(cpu.logical_cpus() == 0);
    CHECK_FALSE(cpu.hypervisor());
    CHECK(cpu.model_name() == "12th Gen Intel(R) Core(TM) i7-1255U");
  }
  SECTION("no topology: the registry alone") {
    m.remove("api/processors.json");
    auto snap = m.collect("windows_cpu");
    REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
    CHECK(snap.hardware().cpu().vendor() == "GenuineIntel");
    CHECK_THAT(snap.collectors(0).message(), Catch::Contains("topology"));
  }
  SECTION("neither") {
    testing::ScratchMachine empty;
    CHECK(empty.collect("windows_cpu").collectors(0).outcome() == v1::CollectorStatus::FAILED);
  }
}
