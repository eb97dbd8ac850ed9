// System, hardware and health collectors against the fixture machines, field by field.
#include <catch2/catch.hpp>

#include "tests/agent/collectors/fixture_support.hpp"

using namespace triage::agent;
using triage::v1::CollectorStatus;

TEST_CASE("desktop fixture: system identity", "[fixture][desktop]") {
  auto snap = testing::fixture_snapshot("desktop", {"system"});
  const auto& s = snap.system();
  CHECK(s.hostname() == "ws-acct-042");
  CHECK(s.os_pretty_name() == "Ubuntu 22.04.4 LTS");
  CHECK(s.os_id() == "ubuntu");
  CHECK(s.os_version_id() == "22.04");
  CHECK(s.os_version_codename() == "jammy");
  CHECK(s.kernel_release() == "6.5.0-35-generic");
  CHECK(s.arch() == "x86_64");
  CHECK(s.machine_id() == "5f1c8a6e0b6d4b7c9a3e2d1f0c9b8a76");
  CHECK(s.boot_time_unix_ms() == 1717990000000);
}

TEST_CASE("desktop fixture: hardware", "[fixture][desktop]") {
  auto snap = testing::fixture_snapshot("desktop", {"hardware"});
  const auto& hw = snap.hardware();
  CHECK(hw.dmi().sys_vendor() == "Dell Inc.");
  CHECK(hw.dmi().product_name() == "OptiPlex 7050");
  CHECK(hw.dmi().product_serial() == "7XK2QH2");
  CHECK(hw.dmi().bios_version() == "1.24.0");
  CHECK(hw.dmi().bios_date() == "03/14/2023");
  CHECK(hw.dmi().chassis_type() == "Desktop");
  CHECK(hw.cpu().model_name() == "Intel(R) Core(TM) i5-7500 CPU @ 3.40GHz");
  CHECK(hw.cpu().vendor() == "GenuineIntel");
  CHECK(hw.cpu().logical_cpus() == 4);
  CHECK(hw.cpu().physical_cores() == 4);
  CHECK(hw.cpu().sockets() == 1);
  CHECK(hw.cpu().max_mhz() == 3800);
  CHECK(hw.cpu().current_mhz() == 2250);
  CHECK_FALSE(hw.cpu().hypervisor());
  CHECK(hw.memory().total_bytes() == 16303428ull * 1024);
  CHECK(hw.memory().available_bytes() == 9876544ull * 1024);
  CHECK(hw.memory().swap_total_bytes() == 2097148ull * 1024);
  CHECK(hw.memory().swap_free_bytes() == 1572860ull * 1024);
  CHECK(hw.memory().used_percent() == Approx(39.42).epsilon(0.001));
  CHECK(hw.memory().swap_used_percent() == Approx(25.0).epsilon(0.001));
}

TEST_CASE("desktop fixture: load and pressure", "[fixture][desktop]") {
  auto snap = testing::fixture_snapshot("desktop", {"health"});
  const auto& h = snap.health();
  CHECK(h.load().load1() == Approx(0.52));
  CHECK(h.load().load15() == Approx(0.70));
  CHECK(h.load().runnable() == 2);
  CHECK(h.load().cpu_count() == 4);
  CHECK(h.pressure().cpu_some().avg10() == Approx(1.20f));
  CHECK(h.pressure().memory_full().avg60() == Approx(0.02f));
  CHECK(h.pressure().io_some().total_us() == 98765432u);
  CHECK(h.pressure().io_full().avg300() == Approx(0.30f));
}
