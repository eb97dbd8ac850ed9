// windows_volumes: drive letters as filesystems on both recorded machines (a full data volume,
// an empty DVD drive, a USB stick, a network drive), and hostile answers.
#include <catch2/catch.hpp>

#include "tests/agent/collectors/windows_sources/recorded_machine_support.hpp"
#include "tests/agent/collectors/windows_sources/scripted_win_host.hpp"

using namespace triage::agent;
namespace v1 = triage::v1;
using Catch::Matchers::Contains;
using triage::fail;
using triage::Result;

namespace {

std::shared_ptr<testing::ScriptedWinHost> machine_with(nlohmann::json volumes) {
  auto win = std::make_shared<testing::ScriptedWinHost>();
  win->api_answers["volumes"] = {{"volumes", std::move(volumes)}};
  return win;
}

}  // namespace

TEST_CASE("windows_volumes: a server with a data volume 97 % full",
          "[windows_volumes][recorded][server2022]") {
  auto snap = testing::recorded_collect("server2022", "windows_volumes");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& fs = snap.hardware().filesystems();
  REQUIRE(fs.size() == 3);

  CHECK(fs[0].mount_point() == "C:\\");
  CHECK(fs[0].device() == "\\\\?\\Volume{3b7f2c1a-0d4e-4f8a-9b6c-5e1d2a3f4b70}\\");
  CHECK(fs[0].fs_type() == "NTFS");
  CHECK(fs[0].label().empty());
  CHECK_FALSE(fs[0].read_only());
  CHECK_FALSE(fs[0].network());
  CHECK(fs[0].size_bytes() == 127427375104ULL);
  CHECK(fs[0].free_bytes() == 61204783104ULL);
  CHECK(fs[0].used_bytes() == 127427375104ULL - 61204783104ULL);
  CHECK(fs[0].used_percent() == Approx(51.97).epsilon(0.001));
  CHECK(fs[0].has_dirty());
  CHECK_FALSE(fs[0].dirty());

  CHECK(fs[1].mount_point() == "D:\\");
  CHECK(fs[1].label() == "Data");
  CHECK(fs[1].fs_type() == "NTFS");
  CHECK(fs[1].size_bytes() == 2199021158400ULL);
  CHECK(fs[1].free_bytes() == 59373568000ULL);
  // Critical for the disk.full rule (97 % and up).
  CHECK(fs[1].used_percent() >= 97.0F);
  CHECK(fs[1].used_percent() == Approx(97.3).epsilon(0.0001));
  CHECK_FALSE(fs[1].read_only());
  CHECK_FALSE(fs[1].has_inodes_total());

  // The DVD drive without a disc: listed, read-only, without sizes.
  CHECK(fs[2].mount_point() == "E:\\");
  CHECK(fs[2].read_only());
  CHECK(fs[2].fs_type().empty());
  CHECK_FALSE(fs[2].has_size_bytes());
  CHECK_FALSE(fs[2].has_used_percent());
  CHECK_FALSE(fs[2].has_dirty());
  CHECK_THAT(snap.collectors(0).message(), Contains("1 drive(s) without a readable volume"));
}

TEST_CASE("windows_volumes: a laptop with a USB stick and a network drive",
          "[windows_volumes][recorded][win11-laptop]") {
  auto snap = testing::recorded_collect("win11-laptop", "windows_volumes");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& fs = snap.hardware().filesystems();
  REQUIRE(fs.size() == 3);
  CHECK(fs[0].mount_point() == "C:\\");
  CHECK(fs[0].label() == "Windows-SSD");
  CHECK(fs[0].size_bytes() == 510770802688ULL);
  CHECK(fs[0].free_bytes() == 148123533312ULL);
  CHECK(fs[0].used_percent() == Approx(71.0).epsilon(0.0001));
  CHECK(fs[0].has_dirty());
  CHECK_FALSE(fs[0].dirty());

  CHECK(fs[1].mount_point() == "D:\\");
  CHECK(fs[1].label() == "KINGSTON");  // space-padded on the stick
  CHECK(fs[1].fs_type() == "FAT32");
  CHECK(fs[1].size_bytes() == 30996332544ULL);
  CHECK(fs[1].used_percent() == Approx(58.43).epsilon(0.001));
  // Pulled out without "eject": Windows offers to scan it next time.
  CHECK(fs[1].dirty());

  CHECK(fs[2].mount_point() == "S:\\");
  CHECK(fs[2].network());
  CHECK_FALSE(fs[2].has_size_bytes());
  CHECK(fs[2].device().empty());
}

TEST_CASE("windows_volumes: quotas, read-only volumes and free space beyond the size",
          "[windows_volumes]") {
  auto win = machine_with(nlohmann::json::array({{{"root", "F:"},  // without its backslash
                                                  {"drive_type", 3},
                                                  {"file_system", "ReFS"},
                                                  {"total_bytes", 1000},
                                                  {"free_bytes", 400},
                                                  {"available_bytes", 100}},
                                                 {{"root", "G:\\"},
                                                  {"drive_type", 2},
                                                  {"file_system", "exFAT"},
                                                  {"file_system_flags", 0x00080000},
                                                  {"total_bytes", 1000},
                                                  {"free_bytes", 5000},
                                                  {"dirty", true}}}));
  auto snap = testing::scripted_collect("windows_volumes", win);
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& fs = snap.hardware().filesystems();
  REQUIRE(fs.size() == 2);
  CHECK(fs[0].mount_point() == "F:\\");
  CHECK(fs[0].used_bytes() == 600);
  CHECK(fs[0].free_bytes() == 100);
  CHECK(fs[0].used_percent() == Approx(600.0 / 700 * 100));
  CHECK(fs[1].read_only());
  CHECK(fs[1].dirty());
  CHECK(fs[1].used_bytes() == 0);
  CHECK(fs[1].free_bytes() == 1000);
}

TEST_CASE("windows_volumes: hostile answers", "[windows_volumes][hostile]") {
  SECTION("no list") {
    auto win = std::make_shared<testing::ScriptedWinHost>();
    win->api_answers["volumes"] = {{"volumes", "C:\\"}};
    auto snap = testing::scripted_collect("windows_volumes", win);
    CHECK(snap.collectors(0).outcome() == v1::CollectorStatus::FAILED);
    CHECK_THAT(snap.collectors(0).message(), Contains("no list of volumes"));
  }
  SECTION("junk entries, duplicates and unknown drive types") {
    auto win = machine_with(nlohmann::json::array(
        {42,
         nullptr,
         "C:\\",
         nlohmann::json::object(),
         {{"root", "C:\\"}, {"drive_type", 3}, {"total_bytes", "big"}, {"free_bytes", -5}},
         {{"root", "c:\\"}, {"drive_type", 3}},
         {{"root", "X:\\"}, {"drive_type", 1}},
         {{"root", "Y:\\"}, {"drive_type", "fixed"}},
         {{"root", std::string(5000, 'Z')},
          {"drive_type", 3},
          {"label", std::string(9000, 'L')}}}));
    auto snap = testing::scripted_collect("windows_volumes", win);
    REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
    const auto& fs = snap.hardware().filesystems();
    REQUIRE(fs.size() == 2);
    CHECK(fs[0].mount_point() == "C:\\");
    CHECK_FALSE(fs[0].has_size_bytes());
    CHECK(fs[1].mount_point().size() <= 9);
    CHECK(fs[1].label().size() <= 128);
  }
  SECTION("a network drive's sizes are never trusted") {
    auto win = machine_with(nlohmann::json::array(
        {{{"root", "H:\\"}, {"drive_type", 4}, {"total_bytes", 10}, {"free_bytes", 0}}}));
    auto snap = testing::scripted_collect("windows_volumes", win);
    REQUIRE(snap.hardware().filesystems_size() == 1);
    CHECK(snap.hardware().filesystems(0).network());
    CHECK_FALSE(snap.hardware().filesystems(0).has_used_percent());
  }
  SECTION("more drives than letters") {
    nlohmann::json many = nlohmann::json::array();
    for (int i = 0; i < 500; ++i)
      many.push_back({{"root", "V" + std::to_string(i) + ":\\"}, {"drive_type", 3}});
    auto snap = testing::scripted_collect("windows_volumes", machine_with(many));
    CHECK(snap.hardware().filesystems_size() == 26);
    CHECK_THAT(snap.collectors(0).message(), Contains("more than 26 volumes"));
  }
}
