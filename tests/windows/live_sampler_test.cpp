// The Windows live sampler, for real: this process burns CPU between two samples and must be
// among the busiest processes, with its working set; memory is this machine's; the CPU share is
// a percentage.
#include "shared/util/windows/windows_api.hpp"

#include <atomic>
#include <chrono>
#include <thread>

#include <catch2/catch.hpp>

#include "agent/live/live_sampler.hpp"

namespace ta = triage::agent;
namespace v1 = triage::v1;

TEST_CASE("windows live sampler: this busy process is among the busiest, memory is real",
          "[windows][live]") {
  auto sampler = ta::make_live_sampler("");
  REQUIRE(sampler);
  std::atomic<bool> stop{false};
  std::thread burner([&] {
    volatile std::uint64_t x = 0;
    while (!stop) x = x + 1;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  v1::LiveSample sample;
  (*sampler)->sample(sample);
  stop = true;
  burner.join();
  CHECK(sample.memory_total_bytes() > 0);
  CHECK(sample.memory_available_bytes() <= sample.memory_total_bytes());
  CHECK(sample.cpu_percent() >= 0);
  CHECK(sample.cpu_percent() <= 100);
  REQUIRE(sample.top_processes_size() >= 1);
  CHECK(sample.top_processes_size() <= ta::kLiveTopProcesses);
  bool found = false;
  for (const auto& p : sample.top_processes()) {
    if (p.pid() != ::GetCurrentProcessId()) continue;
    found = true;
    CHECK(p.cpu_percent() > 20);
    CHECK(p.rss_bytes() > 0);
    CHECK(p.name().find("triage_windows_tests") != std::string::npos);
  }
  CHECK(found);
  CHECK(sample.agent_cpu_percent() > 20);
  // Only this machine is sampled on Windows.
  CHECK_FALSE(ta::make_live_sampler("C:\\\\elsewhere"));
}
