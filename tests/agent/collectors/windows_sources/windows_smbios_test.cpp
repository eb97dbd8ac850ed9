// windows_smbios: the SMBIOS table of both recorded machines, field by field, and tables that
// are cut short or lie about their own lengths.
#include <catch2/catch.hpp>

#include "agent/collectors/windows_sources/smbios_table.hpp"
#include "agent/collectors/windows_sources/win_host.hpp"
#include "agent/collectors/windows_sources/win_values.hpp"
#include "tests/agent/collectors/windows_sources/scratch_machine_support.hpp"

using namespace triage::agent;
namespace v1 = triage::v1;

namespace {

std::string base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    auto n = (static_cast<unsigned char>(bytes[i]) << 16) |
             (static_cast<unsigned char>(bytes[i + 1]) << 8) |
             static_cast<unsigned char>(bytes[i + 2]);
    out += {kAlphabet[n >> 18], kAlphabet[(n >> 12) & 63], kAlphabet[(n >> 6) & 63],
            kAlphabet[n & 63]};
  }
  if (i + 1 == bytes.size()) {
    auto n = static_cast<unsigned char>(bytes[i]) << 16;
    out += {kAlphabet[n >> 18], kAlphabet[(n >> 12) & 63], '=', '='};
  } else if (i + 2 == bytes.size()) {
    auto n = (static_cast<unsigned char>(bytes[i]) << 16) |
             (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += {kAlphabet[n >> 18], kAlphabet[(n >> 12) & 63], kAlphabet[(n >> 6) & 63], '='};
  }
  return out;
}

std::string recorded_table(const std::string& machine) {
  auto host = make_recorded_win_host(testing::recorded_machine_dir(machine));
  auto answer = host->api("smbios");
  REQUIRE(answer);
  auto table = decode_base64(json_text(*answer, "table_base64"));
  REQUIRE(table);
  return *table;
}

std::string smbios_answer(std::string_view table) {
  return R"({"table_base64": ")" + base64(table) + R"(", "major": 3, "minor": 4})";
}

}  // namespace

TEST_CASE("windows_smbios: a ThinkPad T14 Gen 3", "[windows_smbios][recorded][win11-laptop]") {
  auto snap = testing::recorded_collect("win11-laptop", "windows_smbios");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& dmi = snap.hardware().dmi();
  CHECK(dmi.bios_vendor() == "LENOVO");
  CHECK(dmi.bios_version() == "R1XET55W (1.35 )");
  CHECK(dmi.bios_date() == "09/13/2024");
  CHECK(dmi.sys_vendor() == "LENOVO");
  // Lenovo: the machine type in the product name, the model in the version.
  CHECK(dmi.product_name() == "21AH00BUGE");
  CHECK(dmi.product_version() == "ThinkPad T14 Gen 3");
  CHECK(dmi.product_serial() == "PF3XK9ZT");
  CHECK(dmi.board_vendor() == "LENOVO");
  CHECK(dmi.board_name() == "21AHCTO1WW");
  CHECK(dmi.chassis_type() == "Notebook");

  const auto& modules = snap.hardware().memory_modules();
  REQUIRE(modules.size() == 2);
  CHECK(modules[0].locator() == "ChannelA-DIMM0");
  CHECK(modules[0].bank() == "BANK 0");
  CHECK(modules[0].size_bytes() == 16ull << 30);
  CHECK(modules[0].type() == "DDR4");
  CHECK(modules[0].form_factor() == "Row of chips");
  CHECK(modules[0].speed_mts() == 3200);
  CHECK(modules[0].manufacturer() == "Samsung");
  CHECK(modules[0].part_number() == "K4AAG165WA-BCWE");
  CHECK(modules[0].serial().empty());  // soldered chips: "00000000"
  CHECK(modules[1].locator() == "ChannelB-DIMM0");
  CHECK(modules[1].bank() == "BANK 2");
  CHECK(modules[1].size_bytes() == 16ull << 30);
  CHECK(modules[1].form_factor() == "SODIMM");
  CHECK(modules[1].part_number() == "M471A2G43CB2-CWE");  // the firmware's padding trimmed
  CHECK(modules[1].serial() == "47A1C3D2");
}

TEST_CASE("windows_smbios: a PowerEdge R650", "[windows_smbios][recorded][server2022]") {
  auto snap = testing::recorded_collect("server2022", "windows_smbios");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& dmi = snap.hardware().dmi();
  CHECK(dmi.bios_vendor() == "Dell Inc.");
  CHECK(dmi.bios_version() == "1.13.2");
  CHECK(dmi.bios_date() == "05/16/2024");
  CHECK(dmi.sys_vendor() == "Dell Inc.");
  CHECK(dmi.product_name() == "PowerEdge R650");
  CHECK(dmi.product_version().empty());
  CHECK(dmi.product_serial() == "7XK4M93");
  CHECK(dmi.board_name() == "0Y2K8N");
  CHECK(dmi.chassis_type() == "Rack Mount Chassis");

  // 32 slots, 8 filled: the empty ones are left out.
  const auto& modules = snap.hardware().memory_modules();
  REQUIRE(modules.size() == 8);
  std::vector<std::string> locators;
  for (const auto& m : modules) {
    locators.push_back(m.locator());
    CHECK(m.size_bytes() == 32ull << 30);
    CHECK(m.type() == "DDR4");
    CHECK(m.form_factor() == "DIMM");
    CHECK(m.speed_mts() == 2933);
    CHECK(m.manufacturer() == "SK Hynix");  // "00AD063200AD", a JEDEC code
    CHECK(m.part_number() == "HMA84GR7CJR4N-XN");
    CHECK(m.bank().empty());  // "Not Specified"
  }
  CHECK(locators == std::vector<std::string>{"A1", "A2", "A3", "A4", "B1", "B2", "B3", "B4"});
  CHECK(modules[0].serial() == "3A1B2C3D");
}

TEST_CASE("SMBIOS table: every truncation of a real table stays inside it", "[windows_smbios]") {
  auto table = recorded_table("server2022");
  auto whole = parse_smbios_table(table);
  REQUIRE(whole);
  CHECK(whole->size() == 38);
  CHECK(whole->back().type == 127);
  for (std::size_t cut = 0; cut < table.size(); ++cut) {
    // A copy of exactly `cut` bytes: a read past it is a read past the allocation.
    std::string prefix = table.substr(0, cut);
    auto parsed = parse_smbios_table(prefix);
    if (!parsed) continue;
    CHECK(parsed->size() < whole->size());
    const char* begin = prefix.data();
    const char* end = prefix.data() + prefix.size();
    bool inside = true;
    for (const auto& s : *parsed) {
      inside =
          inside && s.formatted.data() >= begin && s.formatted.data() + s.formatted.size() <= end;
      for (auto str : s.strings) inside = inside && str.data() + str.size() <= end;
    }
    INFO("cut at " << cut);
    CHECK(inside);
  }
}

TEST_CASE("SMBIOS table: structures that lie about themselves", "[windows_smbios]") {
  SECTION("a length shorter than the header stops the walk") {
    std::string table("\x00\x02\x00\x00\x00\x00", 6);
    CHECK_FALSE(parse_smbios_table(table));
  }
  SECTION("a length past the end stops the walk") {
    std::string table(
        "\x01\xff\x01\x00"
        "abc\x00\x00",
        9);
    CHECK_FALSE(parse_smbios_table(table));
  }
  SECTION("strings without their final NUL stop the walk") {
    std::string table("\x00\x04\x00\x00\x00\x00\x01\x05\x01\x00vendor", 16);
    auto parsed = parse_smbios_table(table);
    REQUIRE(parsed);
    CHECK(parsed->size() == 1);
  }
  SECTION("a string number past the string set and fields past the length read as nothing") {
    std::string table("\x01\x06\x01\x00\x01\x07only\x00\x00", 12);
    auto parsed = parse_smbios_table(table);
    REQUIRE(parsed);
    const auto& s = parsed->at(0);
    CHECK(s.text(0x04) == "only");
    CHECK(s.text(0x05).empty());  // string 7 of 1
    CHECK(s.text(0x06).empty());  // past the formatted area
    CHECK_FALSE(s.word(0x05));
    CHECK_FALSE(s.dword(0x1C));
  }
  SECTION("the walk is bounded") {
    std::string one("\x7e\x04\x00\x00\x00\x00", 6);  // inactive structures, no end marker
    std::string table;
    for (int i = 0; i < 5000; ++i) table += one;
    auto parsed = parse_smbios_table(table);
    REQUIRE(parsed);
    CHECK(parsed->size() == 1024);
  }
}

TEST_CASE("windows_smbios: hostile answers", "[windows_smbios]") {
  testing::ScratchMachine m("win11-laptop");
  SECTION("a table cut in the middle of a memory device keeps what came before") {
    auto table = recorded_table("win11-laptop");
    m.write("api/smbios.json", smbios_answer(table.substr(0, table.size() - 150)));
    auto snap = m.collect("windows_smbios");
    REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
    CHECK(snap.hardware().dmi().product_name() == "21AH00BUGE");
    CHECK(snap.hardware().memory_modules_size() == 1);
  }
  SECTION("a memory device of an old SMBIOS version, shorter than the fields it lacks") {
    // Type 17 of SMBIOS 2.3 (0x1B bytes): no extended size, no configured speed.
    std::string device(
        "\x11\x1b\x40\x00\x00\x10\xfe\xff\x40\x00\x40\x00\x00\x20\x09\x00\x01\x02"
        "\x1a\x80\x00\x80\x0c\x03\x00\x00\x04\x00",
        0x1b);
    std::string table = device + std::string("DIMM0\0BANK0\0Kingston\0KF3200C16D4/8GX\0\0", 38) +
                        std::string("\x7f\x04\xff\xff\x00\x00", 6);
    m.write("api/smbios.json", smbios_answer(table));
    auto snap = m.collect("windows_smbios");
    REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
    REQUIRE(snap.hardware().memory_modules_size() == 1);
    const auto& module = snap.hardware().memory_modules(0);
    CHECK(module.locator() == "DIMM0");
    CHECK(module.size_bytes() == 8ull << 30);
    CHECK(module.type() == "DDR4");
    CHECK(module.manufacturer() == "Kingston");
    CHECK(module.part_number() == "KF3200C16D4/8GX");
    CHECK_FALSE(module.has_speed_mts());
  }
  SECTION("not base64") {
    m.write("api/smbios.json", R"({"table_base64": "!!not base64!!"})");
    CHECK(m.collect("windows_smbios").collectors(0).outcome() == v1::CollectorStatus::FAILED);
  }
  SECTION("the table of another type") {
    m.write("api/smbios.json", R"({"table_base64": 42})");
    auto snap = m.collect("windows_smbios");
    CHECK(snap.collectors(0).outcome() == v1::CollectorStatus::FAILED);
    CHECK_FALSE(snap.has_hardware());
  }
  SECTION("an answer that is a list") {
    m.write("api/smbios.json", "[1, 2, 3]");
    CHECK(m.collect("windows_smbios").collectors(0).outcome() == v1::CollectorStatus::FAILED);
  }
  SECTION("no gatherer answer at all") {
    m.remove("api/smbios.json");
    CHECK(m.collect("windows_smbios").collectors(0).outcome() == v1::CollectorStatus::UNAVAILABLE);
  }
}

TEST_CASE("windows_smbios: the table Wine 8 makes up", "[windows_smbios]") {
  // The "smbios" gatherer's answer under Wine 8.0: structures without a single string.
  testing::ScratchMachine m;
  m.write("api/smbios.json",
          R"({"major": 2, "minor": 4, "table_base64": "ABgAAAAAAAAAAAQAAAAAAAAAAAD/////AAABGwEAAAA)"
          R"(AAD0SGcfExUBKqh9tKkit/aQCAAAAAAMVAgAAAgAAAAICAgIAAAAAAAAAAwAAAg8DAAAAAAAABQACAAoAAAA)"
          R"(gFAQAAAAAAAAAAAAAAAAAAAAAAAAAfwQFAAAA"})");
  auto snap = m.collect("windows_smbios");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  CHECK(snap.hardware().dmi().sys_vendor().empty());
  CHECK(snap.hardware().dmi().product_name().empty());
  CHECK(snap.hardware().dmi().chassis_type() == "Unknown");
  CHECK(snap.hardware().memory_modules_size() == 0);
}
