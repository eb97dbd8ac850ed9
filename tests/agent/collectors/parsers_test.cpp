// Parsers on hand-written strings, including malformed and truncated input.
#include <catch2/catch.hpp>
#include <random>

#include "agent/collectors/linux/collectors.hpp"
#include "agent/collectors/text.hpp"

using namespace triage::agent;

namespace {

/// Inputs no parser may crash on.
std::vector<std::string> hostile_inputs() {
  std::vector<std::string> out = {"",
                                  "\n",
                                  "\n\n\n",
                                  ":",
                                  "=",
                                  "\0\0\0",
                                  "a:b:c:d",
                                  "x=\"",
                                  std::string(1 << 20, 'A'),
                                  std::string(200000, '\n')};
  std::mt19937 rng(42);
  for (int i = 0; i < 8; ++i) {
    std::string junk(4096, '\0');
    for (auto& c : junk) c = static_cast<char>(rng());
    out.push_back(junk);
  }
  std::string long_line = "MemTotal: " + std::string(100000, '9') + " kB\n";
  out.push_back(long_line);
  return out;
}

}  // namespace

TEST_CASE("Text helpers", "[parsers]") {
  CHECK(trim("  a b \r\n") == "a b");
  CHECK(split_lines("a\r\nb\n\nc") == std::vector<std::string_view>{"a", "b", "", "c"});
  CHECK(split_ws(" a \t b  c ") == std::vector<std::string_view>{"a", "b", "c"});
  CHECK(to_uint("12") == 12u);
  CHECK_FALSE(to_uint("12a").has_value());
  CHECK_FALSE(to_uint("99999999999999999999999").has_value());
  CHECK(to_uint("ff", 16) == 255u);
  CHECK(unquote("\"Debian GNU/Linux 12\"") == "Debian GNU/Linux 12");
  CHECK(unquote("'it\\'s'") == "it's");
  CHECK(clean_text("ok\x01\xff\xc3\xa9") == "ok??\xc3\xa9");
  CHECK(clean_text(std::string(10000, 'x'), 100).size() == 100);
}

TEST_CASE("Parsers survive hostile input", "[parsers][robustness]") {
  for (const auto& input : hostile_inputs()) {
    CAPTURE(input.size());
    (void)parse_os_release(input);
    auto mem = parse_meminfo(input);
    CHECK(mem.used_percent() >= 0);
    (void)parse_cpuinfo(input);
    (void)parse_boot_time(input);
    (void)parse_loadavg(input);
    (void)parse_pressure(input);
  }
}

TEST_CASE("parse_meminfo handles kernels without MemAvailable", "[parsers]") {
  auto m = parse_meminfo("MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 250 kB\n");
  CHECK(m.total_bytes() == 1024000);
  CHECK(m.available_bytes() == 400 * 1024);
  CHECK(m.used_percent() == Approx(60.0f));
  CHECK_FALSE(m.has_swap_used_percent());
}

TEST_CASE("parse_cpuinfo counts ARM cores without physical ids", "[parsers]") {
  auto cpu = parse_cpuinfo(
      "processor\t: 0\nBogoMIPS\t: 108.00\nCPU implementer\t: 0x41\n\n"
      "processor\t: 1\nBogoMIPS\t: 108.00\nCPU implementer\t: 0x41\nModel\t: Raspberry Pi 4\n");
  CHECK(cpu.logical_cpus() == 2);
  CHECK(cpu.physical_cores() == 2);
  CHECK(cpu.sockets() == 1);
  CHECK(cpu.vendor() == "0x41");
  CHECK(cpu.model_name() == "Raspberry Pi 4");
}

TEST_CASE("parse_pressure reads some and full lines", "[parsers]") {
  auto psi = parse_pressure("some avg10=5.00 avg60=4.00 avg300=3.00 total=42\n");
  REQUIRE(psi.some.has_value());
  CHECK(psi.some->avg10() == Approx(5.0f));
  CHECK(psi.some->total_us() == 42);
  CHECK_FALSE(psi.full.has_value());
}
