// Giving idle memory back: file pages are unmapped, nothing the process holds is lost.
#include <array>
#include <catch2/catch.hpp>
#include <cstdint>
#include <fstream>
#include <numeric>
#include <string>

#include "agent/service/idle_memory.hpp"

namespace {

// Constants in the binary's read-only, file-backed pages, and state in its writable ones.
constexpr std::array<std::uint32_t, 4096> kTable = [] {
  std::array<std::uint32_t, 4096> t{};
  for (std::uint32_t i = 0; i < t.size(); ++i) t[i] = i * 2654435761u;
  return t;
}();
std::uint64_t g_written = 0;

std::size_t vm_rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string key;
  std::size_t value = 0;
  while (status >> key) {
    if (key == "VmRSS:") {
      status >> value;
      return value;
    }
  }
  return 0;
}

std::uint64_t table_sum() {
  // Through a volatile pointer, so the sum is read from the pages, not folded at compile time.
  const volatile std::uint32_t* p = kTable.data();
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < kTable.size(); ++i) sum += p[i];
  return sum;
}

}  // namespace

TEST_CASE("idle memory release unmaps file pages and loses nothing", "[idle_memory]") {
  const auto sum = table_sum();
  g_written = 0x5eed;
  std::string heap_text(1 << 20, 'x');
  const auto before = vm_rss_kib();

  const auto released = triage::agent::release_idle_memory();
  const auto after = vm_rss_kib();

  CHECK(released > 1024 * 1024);  // a test binary maps MiBs of libraries
  CHECK(after < before);
  // Constants come back from the file, written state and the heap are untouched.
  CHECK(table_sum() == sum);
  CHECK(g_written == 0x5eed);
  CHECK(heap_text == std::string(1 << 20, 'x'));
  // And the code unmapped a moment ago still runs.
  CHECK(std::to_string(42) == "42");
}
