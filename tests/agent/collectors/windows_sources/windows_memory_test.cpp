// windows_memory: physical memory, page file and commit charge on both recorded machines, and
// answers a real machine does not give.
#include <catch2/catch.hpp>

#include "tests/agent/collectors/windows_sources/recorded_machine_support.hpp"
#include "tests/agent/collectors/windows_sources/scripted_win_host.hpp"

using namespace triage::agent;
namespace v1 = triage::v1;
using Catch::Matchers::Contains;
using triage::fail;
using triage::Result;

namespace {

constexpr std::uint64_t kPage = 4096;
constexpr std::uint64_t kMiB = 1024 * 1024;

std::shared_ptr<testing::ScriptedWinHost> machine_with(nlohmann::json status) {
  auto win = std::make_shared<testing::ScriptedWinHost>();
  win->api_answers["memory_status"] = std::move(status);
  return win;
}

}  // namespace

TEST_CASE("windows_memory: a server whose commit charge is at 94 % of its limit",
          "[windows_memory][recorded][server2022]") {
  auto snap = testing::recorded_collect("server2022", "windows_memory");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& m = snap.hardware().memory();
  CHECK(m.total_bytes() == 16698815 * kPage);
  CHECK(m.available_bytes() == 1372160 * kPage);
  CHECK(m.cached_bytes() == 1105920 * kPage);
  CHECK(m.free_bytes() == (1372160 - 1105920) * kPage);
  CHECK(m.buffers_bytes() == 0);
  CHECK(m.used_percent() == Approx(91.78).epsilon(0.001));
  CHECK(m.swap_total_bytes() == 8192 * kMiB);
  CHECK(m.swap_free_bytes() == (8192 - 5734) * kMiB);
  CHECK(m.swap_used_percent() == Approx(70.0).epsilon(0.001));
  const auto& c = snap.health().commit();
  CHECK(c.total_bytes() == 17668209 * kPage);
  CHECK(c.limit_bytes() == (16698815 + 8192 * 256) * kPage);
  CHECK(c.peak_bytes() == 18102455 * kPage);
  CHECK(c.used_percent() == Approx(94.0).epsilon(0.0001));
  CHECK(c.page_file_total_bytes() == 8192 * kMiB);
  CHECK(c.page_file_used_bytes() == 5734 * kMiB);
  // Memory itself is not low: the memory.low rule (below 5 % available) stays quiet.
  CHECK(100.0 * m.available_bytes() / m.total_bytes() > 5.0);
}

TEST_CASE("windows_memory: a laptop with 16 GB and a system-managed page file",
          "[windows_memory][recorded][win11-laptop]") {
  auto snap = testing::recorded_collect("win11-laptop", "windows_memory");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& m = snap.hardware().memory();
  CHECK(m.total_bytes() == 16856084480ULL);
  CHECK(m.available_bytes() == 1621504 * kPage);
  CHECK(m.cached_bytes() == 1201875 * kPage);
  CHECK(m.free_bytes() == (1621504 - 1201875) * kPage);
  CHECK(m.used_percent() == Approx(60.60).epsilon(0.001));
  CHECK(m.swap_total_bytes() == 2432 * kMiB);
  CHECK(m.swap_free_bytes() == (2432 - 311) * kMiB);
  CHECK(m.swap_used_percent() == Approx(12.79).epsilon(0.001));
  const auto& c = snap.health().commit();
  CHECK(c.total_bytes() == 3012563 * kPage);
  CHECK(c.limit_bytes() == 4737847 * kPage);
  CHECK(c.peak_bytes() == 3587220 * kPage);
  CHECK(c.used_percent() == Approx(63.58).epsilon(0.001));
  CHECK(c.page_file_used_bytes() == 311 * kMiB);
}

TEST_CASE("windows_memory: GetPerformanceInfo failed", "[windows_memory]") {
  // GlobalMemoryStatusEx alone: no cache figure, and its "page file" is the commit limit.
  auto win = machine_with({{"memory_status_ex",
                            {{"ullTotalPhys", 8 * 1024 * kMiB},
                             {"ullAvailPhys", 2 * 1024 * kMiB},
                             {"ullTotalPageFile", 10 * 1024 * kMiB},
                             {"ullAvailPageFile", 4 * 1024 * kMiB}}},
                           {"errors", {"GetPerformanceInfo: not implemented"}}});
  auto snap = testing::scripted_collect("windows_memory", win);
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& m = snap.hardware().memory();
  CHECK(m.total_bytes() == 8 * 1024 * kMiB);
  CHECK(m.free_bytes() == 2 * 1024 * kMiB);
  CHECK(m.cached_bytes() == 0);
  CHECK(m.used_percent() == Approx(75.0));
  // No Win32_PageFileUsage either: no swap, said in a note.
  CHECK(m.swap_total_bytes() == 0);
  CHECK_FALSE(m.has_swap_used_percent());
  CHECK_THAT(snap.collectors(0).message(), Contains("page files"));
  const auto& c = snap.health().commit();
  CHECK(c.limit_bytes() == 10 * 1024 * kMiB);
  CHECK(c.total_bytes() == 6 * 1024 * kMiB);
  CHECK(c.peak_bytes() == c.total_bytes());
  CHECK(c.used_percent() == Approx(60.0));
}

TEST_CASE("windows_memory: GlobalMemoryStatusEx failed, pages only", "[windows_memory]") {
  auto win = machine_with({{"performance_information",
                            {{"PhysicalTotal", 1000000},
                             {"PhysicalAvailable", 250000},
                             {"SystemCache", 300000},  // more than available: free is 0
                             {"CommitTotal", 900000},
                             {"CommitLimit", 1200000},
                             {"CommitPeak", 0},  // as Wine answers
                             {"PageSize", 4096}}}});
  win->wmi_rows["Win32_PageFileUsage"] = {
      {{"AllocatedBaseSize", 1024}, {"CurrentUsage", 2048}},  // more used than allocated
      {{"AllocatedBaseSize", "512"}, {"CurrentUsage", nullptr}}};
  auto snap = testing::scripted_collect("windows_memory", win);
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& m = snap.hardware().memory();
  CHECK(m.total_bytes() == 1000000 * kPage);
  CHECK(m.available_bytes() == 250000 * kPage);
  CHECK(m.free_bytes() == 0);
  CHECK(m.swap_total_bytes() == 1536 * kMiB);
  CHECK(m.swap_free_bytes() == 512 * kMiB);
  CHECK(snap.health().commit().used_percent() == Approx(75.0));
  CHECK(snap.health().commit().peak_bytes() == 900000 * kPage);
}

TEST_CASE("windows_memory: hostile answers", "[windows_memory][hostile]") {
  SECTION("no answer at all") {
    auto snap =
        testing::scripted_collect("windows_memory", std::make_shared<testing::ScriptedWinHost>());
    CHECK(snap.collectors(0).outcome() == v1::CollectorStatus::FAILED);
    CHECK_THAT(snap.collectors(0).message(), Contains("memory status"));
  }
  SECTION("wrong types everywhere") {
    auto win = machine_with({{"memory_status_ex", {{"ullTotalPhys", "lots"}, {"ullAvailPhys", -1}}},
                             {"performance_information", nlohmann::json::array({1, 2})}});
    auto snap = testing::scripted_collect("windows_memory", win);
    CHECK(snap.collectors(0).outcome() == v1::CollectorStatus::FAILED);
    CHECK_THAT(snap.collectors(0).message(), Contains("no physical memory total"));
    CHECK_FALSE(snap.hardware().has_memory());
  }
  SECTION("an answer that is not an object") {
    auto snap = testing::scripted_collect("windows_memory", machine_with("oops"));
    CHECK(snap.collectors(0).outcome() == v1::CollectorStatus::FAILED);
  }
  SECTION("page counts that overflow bytes, and thousands of page files") {
    auto win = machine_with({{"memory_status_ex", {{"ullTotalPhys", 4 * 1024 * kMiB}}},
                             {"performance_information",
                              {{"CommitTotal", UINT64_MAX},
                               {"CommitLimit", UINT64_MAX / 2},
                               {"SystemCache", UINT64_MAX},
                               {"PageSize", 4096}}}});
    std::vector<nlohmann::json> rows(5000, {{"AllocatedBaseSize", 1}, {"CurrentUsage", 1}});
    win->wmi_rows["Win32_PageFileUsage"] = rows;
    auto snap = testing::scripted_collect("windows_memory", win);
    REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
    CHECK(snap.hardware().memory().cached_bytes() == 0);
    CHECK(snap.hardware().memory().swap_total_bytes() == 26 * kMiB);
    CHECK_FALSE(snap.health().has_commit());
    CHECK_THAT(snap.collectors(0).message(), Contains("commit charge not reported"));
  }
}
