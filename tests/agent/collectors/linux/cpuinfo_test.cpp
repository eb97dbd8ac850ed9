// The cpuinfo collector: model, topology and frequency of the fixture machines.
#include <catch2/catch.hpp>

#include "agent/collectors/linux/cpuinfo.hpp"
#include "tests/agent/collectors/fixture_support.hpp"
#include "tests/agent/collectors/linux/hostile_inputs.hpp"

using namespace triage::agent;

TEST_CASE("cpuinfo: desktop CPU", "[cpuinfo][fixture][desktop]") {
  auto hw = testing::fixture_collect("desktop", "cpuinfo").hardware();
  CHECK(hw.cpu().model_name() == "Intel(R) Core(TM) i5-7500 CPU @ 3.40GHz");
  CHECK(hw.cpu().vendor() == "GenuineIntel");
  CHECK(hw.cpu().logical_cpus() == 4);
  CHECK(hw.cpu().physical_cores() == 4);
  CHECK(hw.cpu().sockets() == 1);
  CHECK(hw.cpu().max_mhz() == 3800);
  CHECK(hw.cpu().current_mhz() == 2250);
  CHECK_FALSE(hw.cpu().hypervisor());
}

TEST_CASE("cpuinfo: laptop CPU", "[cpuinfo][fixture][laptop]") {
  auto hw = testing::fixture_collect("laptop", "cpuinfo").hardware();
  CHECK(hw.cpu().physical_cores() == 4);
  CHECK(hw.cpu().logical_cpus() == 8);
  CHECK(hw.cpu().max_mhz() == 4700);
}

TEST_CASE("cpuinfo: server with two sockets", "[cpuinfo][fixture][server]") {
  auto hw = testing::fixture_collect("server-raid", "cpuinfo").hardware();
  CHECK(hw.cpu().sockets() == 2);
  CHECK(hw.cpu().physical_cores() == 4);
  CHECK(hw.cpu().logical_cpus() == 8);
}

TEST_CASE("cpuinfo: container on a hypervisor", "[cpuinfo][fixture][container]") {
  auto hw = testing::fixture_collect("container", "cpuinfo").hardware();
  CHECK(hw.cpu().hypervisor());
  CHECK(hw.cpu().model_name() == "AMD EPYC 7B13");
}

TEST_CASE("parse_cpuinfo counts ARM cores without physical ids", "[cpuinfo][parsers]") {
  auto cpu = parse_cpuinfo(
      "processor\t: 0\nBogoMIPS\t: 108.00\nCPU implementer\t: 0x41\n\n"
      "processor\t: 1\nBogoMIPS\t: 108.00\nCPU implementer\t: 0x41\nModel\t: Raspberry Pi 4\n");
  CHECK(cpu.logical_cpus() == 2);
  CHECK(cpu.physical_cores() == 2);
  CHECK(cpu.sockets() == 1);
  CHECK(cpu.vendor() == "0x41");
  CHECK(cpu.model_name() == "Raspberry Pi 4");
}

TEST_CASE("cpuinfo: the parser survives hostile input", "[cpuinfo][parsers][robustness]") {
  for (const auto& input : testing::hostile_inputs()) (void)parse_cpuinfo(input);
  SUCCEED();
}

TEST_CASE("parse_cpuinfo: a clock rate beyond any CPU is clamped, not converted out of range",
          "[cpuinfo][parsers][robustness]") {
  // Found by the proc_parsers fuzz target (UBSan): 5.6e37 MHz was cast to a 32-bit integer.
  auto cpu = parse_cpuinfo(
      "processor\t: 0\ncpu MHz\t\t: 55555555555555555555555555555555555555\n"
      "processor\t: 1\ncpu MHz\t\t: -7\n");
  CHECK(cpu.logical_cpus() == 2);
  CHECK(cpu.current_mhz() == std::numeric_limits<std::uint32_t>::max());
}
