// The meminfo collector: memory and swap of the fixture machines.
#include <catch2/catch.hpp>

#include "agent/collectors/linux/meminfo.hpp"
#include "tests/agent/collectors/fixture_support.hpp"
#include "tests/agent/collectors/linux/hostile_inputs.hpp"

using namespace triage::agent;

TEST_CASE("meminfo: desktop memory and swap", "[meminfo][fixture][desktop]") {
  auto hw = testing::fixture_collect("desktop", "meminfo").hardware();
  CHECK(hw.memory().total_bytes() == 16303428ull * 1024);
  CHECK(hw.memory().available_bytes() == 9876544ull * 1024);
  CHECK(hw.memory().swap_total_bytes() == 2097148ull * 1024);
  CHECK(hw.memory().swap_free_bytes() == 1572860ull * 1024);
  CHECK(hw.memory().used_percent() == Approx(39.42).epsilon(0.001));
  CHECK(hw.memory().swap_used_percent() == Approx(25.0).epsilon(0.001));
}

TEST_CASE("meminfo: laptop nearly full", "[meminfo][fixture][laptop]") {
  auto hw = testing::fixture_collect("laptop", "meminfo").hardware();
  CHECK(hw.memory().used_percent() == Approx(93.54).epsilon(0.001));
}

TEST_CASE("meminfo: server without swap", "[meminfo][fixture][server]") {
  auto hw = testing::fixture_collect("server-raid", "meminfo").hardware();
  CHECK(hw.memory().swap_total_bytes() == 0);
  CHECK_FALSE(hw.memory().has_swap_used_percent());
}

TEST_CASE("parse_meminfo handles kernels without MemAvailable", "[meminfo][parsers]") {
  auto m = parse_meminfo("MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 250 kB\n");
  CHECK(m.total_bytes() == 1024000);
  CHECK(m.available_bytes() == 400 * 1024);
  CHECK(m.used_percent() == Approx(60.0f));
  CHECK_FALSE(m.has_swap_used_percent());
}

TEST_CASE("meminfo: the parser survives hostile input", "[meminfo][parsers][robustness]") {
  for (const auto& input : testing::hostile_inputs()) {
    auto mem = parse_meminfo(input);
    CHECK(mem.used_percent() >= 0);
  }
}
