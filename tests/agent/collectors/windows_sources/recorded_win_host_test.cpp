// The recorded Windows machine: regedit's export format (both root spellings, every value type,
// continued hex lines, the WOW6432Node view), WMI rows with only the properties asked for,
// Event Log filters, files, and what a recording lacks.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "agent/collectors/windows_sources/win_host.hpp"
#include "agent/collectors/windows_sources/win_values.hpp"

using namespace triage::agent;

namespace {

struct TempMachine {
  std::filesystem::path dir;
  TempMachine() {
    dir = std::filesystem::temp_directory_path() /
          ("triage-recorded-" + std::to_string(::getpid()) + "-" +
           std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    std::filesystem::create_directories(dir);
  }
  ~TempMachine() { std::filesystem::remove_all(dir); }
  void write(const std::string& relative, const std::string& text) const {
    auto path = dir / relative;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
  }
};

}  // namespace

TEST_CASE("recorded Windows machine: registry values of every type", "[windows][recorded]") {
  TempMachine m;
  m.write("registry/a.reg",
          "Windows Registry Editor Version 5.00\r\n\r\n"
          "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Vendor\\App]\r\n"
          "@lastwrite=2026-11-22T08:00:00Z\r\n"
          "\"Name\"=\"Quote \\\"q\\\" and C:\\\\dir\"\r\n"
          "\"Count\"=dword:0000002a\r\n"
          "\"Big\"=qword:0000000100000000\r\n"
          "\"Path\"=expand:\"%SystemRoot%\\\\x\"\r\n"
          "\"List\"=multi:\"one\",\"two\"\r\n"
          "\"Ops\"=hex(7):61,00,00,00,62,00,\\\r\n  63,00,00,00,\\\r\n  00,00,64,00,\\\r\n"
          "  00,00,00,00\r\n"
          "\"Qw\"=hex(b):2a,00,00,00,00,00,00,00\r\n"
          "\"Blob\"=hex:de,ad,be,ef\r\n"
          "@=\"default\"\r\n");
  auto host = make_recorded_win_host(m.dir);
  auto key = host->registry("HKLM\\software\\vendor\\APP");
  REQUIRE(key);
  CHECK(key->text("name") == "Quote \"q\" and C:\\dir");
  CHECK(key->number("Count") == 42u);
  CHECK(key->number("Big") == 0x100000000ull);
  CHECK(key->values.at("Path").type == RegistryValue::Type::kExpandString);
  CHECK(key->text("Path") == "%SystemRoot%\\x");
  CHECK(key->values.at("List").strings == std::vector<std::string>{"one", "two"});
  // Wrapped over four lines; the empty string inside the list is kept (as in
  // PendingFileRenameOperations, where it means "delete the file").
  CHECK(key->values.at("Ops").strings == std::vector<std::string>{"a", "bc", "", "d"});
  CHECK(key->number("Qw") == 42u);
  CHECK(key->values.at("Blob").bytes == std::vector<std::uint8_t>{0xde, 0xad, 0xbe, 0xef});
  CHECK(key->text("") == "default");
  CHECK(key->last_write_unix_ms == 1795334400000);
  CHECK_FALSE(key->number("Name"));
}

TEST_CASE("recorded Windows machine: subkeys, views and missing keys", "[windows][recorded]") {
  TempMachine m;
  m.write("registry/b.reg",
          "[HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{A}]\n"
          "\"DisplayName\"=\"Seventy-four\"\n"
          "[HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\Zip]\n"
          "\"DisplayName\"=\"Zip\"\n"
          "[HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\Old]\n"
          "\"DisplayName\"=\"Thirty-two\"\n");
  auto host = make_recorded_win_host(m.dir);
  auto uninstall = host->registry("HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall");
  REQUIRE(uninstall);
  CHECK(uninstall->subkeys.size() == 2);
  auto wow = host->registry("HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall",
                            RegistryView::k32);
  REQUIRE(wow);
  REQUIRE(wow->subkeys == std::vector<std::string>{"Old"});
  // Parents of recorded keys exist, with their children named.
  auto software = host->registry("HKLM\\SOFTWARE");
  REQUIRE(software);
  // Named as the file spells them, though only their children were written.
  CHECK(software->subkeys == std::vector<std::string>{"Microsoft", "WOW6432Node"});
  auto missing = host->registry("HKLM\\SOFTWARE\\Nobody");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == triage::ErrorCode::kNotFound);
}

TEST_CASE("recorded Windows machine: WMI rows hold the properties asked for",
          "[windows][recorded]") {
  TempMachine m;
  m.write("wmi/root_cimv2/Win32_Thing.json",
          R"([{"Name": "a", "Size": "18446744073709551615", "Extra": 1}, {"name": "b"}, 7])");
  auto host = make_recorded_win_host(m.dir);
  auto rows = host->wmi("root\\cimv2", "win32_thing", {"Name", "Size"});
  REQUIRE(rows);
  REQUIRE(rows->size() == 2);
  CHECK(json_text((*rows)[0], "Name") == "a");
  CHECK(json_uint((*rows)[0], "Size") == 18446744073709551615ull);
  CHECK_FALSE((*rows)[0].contains("Extra"));
  CHECK(json_text((*rows)[1], "Name") == "b");
  CHECK((*rows)[1]["Size"].is_null());
  auto all = host->wmi("root\\cimv2", "Win32_Thing", {});
  REQUIRE(all);
  CHECK(json_uint((*all)[0], "Extra") == 1u);
  auto none = host->wmi("root\\wmi", "MSStorageDriver_FailurePredictStatus", {"Active"});
  REQUIRE_FALSE(none);
  CHECK(none.error().code == triage::ErrorCode::kNotFound);
}

TEST_CASE("recorded Windows machine: Event Log filters, newest first", "[windows][recorded]") {
  TempMachine m;
  m.write("events/System.json", R"([
    {"provider": "Disk", "event_id": 7, "level": 2, "time": "2026-11-30T10:00:00Z", "message": "bad block"},
    {"provider": "Disk", "event_id": 7, "level": 2, "time": "2026-11-30T11:00:00Z", "data": ["\\Device\\Harddisk0", 3]},
    {"provider": "Service Control Manager", "event_id": 7036, "level": 4, "time": "2026-11-30T12:00:00Z"},
    {"provider": "EventLog", "event_id": 6008, "level": 0, "time": "2026-11-01T12:00:00Z"}
  ])");
  auto host = make_recorded_win_host(m.dir);
  EventQuery errors;
  errors.log = "System";
  errors.max_level = 3;
  auto records = host->events(errors);
  REQUIRE(records);
  REQUIRE(records->size() == 3);
  CHECK((*records)[0].time_unix_ms > (*records)[1].time_unix_ms);
  CHECK((*records)[0].data == std::vector<std::string>{"\\Device\\Harddisk0", "3"});
  EventQuery recent;
  recent.log = "System";
  recent.since_unix_ms = 1796040000000;
  recent.max_records = 1;
  auto one = host->events(recent);
  REQUIRE(one);
  REQUIRE(one->size() == 1);
  CHECK(one->front().event_id == 7036);
  EventQuery by_id;
  by_id.log = "system";
  by_id.providers = {"disk"};
  by_id.event_ids = {7};
  CHECK(host->events(by_id)->size() == 2);
  EventQuery security;
  security.log = "Security";
  CHECK_FALSE(host->events(security));
}

TEST_CASE("recorded Windows machine: files and gatherer answers", "[windows][recorded]") {
  TempMachine m;
  m.write("files.json", R"({"directories": {"C:\\Windows\\Minidump": [
      {"name": "112926-9671-01.dmp", "size_bytes": 2097152, "modified_unix_ms": 1796000000000}]},
    "contents": {"C:\\ProgramData\\report.wer": "Version=1"}})");
  m.write("api/memory_status.json", R"({"total_phys": 17179869184})");
  auto host = make_recorded_win_host(m.dir);
  auto entries = host->list_directory("c:/windows/minidump/");
  REQUIRE(entries);
  REQUIRE(entries->size() == 1);
  CHECK(entries->front().size_bytes == 2097152);
  CHECK(host->read_file("C:\\ProgramData\\report.wer", 4).value() == "Vers");
  CHECK_FALSE(host->list_directory("C:\\Windows\\LiveKernelReports"));
  CHECK(json_uint(host->api("memory_status").value(), "total_phys") == 17179869184ull);
  CHECK(host->api("wlan").error().code == triage::ErrorCode::kNotFound);
}

TEST_CASE("Windows values: times and text", "[windows][values]") {
  CHECK(filetime_to_unix_ms(0) == 0);
  CHECK(filetime_to_unix_ms(133772112000000000ull) == 1732737600000);
  CHECK(wmi_datetime_to_unix_ms("20241127200000.000000+000") == 1732737600000);
  CHECK(wmi_datetime_to_unix_ms("20241127210000.500000+060") == 1732737600500);
  CHECK_FALSE(wmi_datetime_to_unix_ms("2024-11-27"));
  CHECK_FALSE(wmi_datetime_to_unix_ms("20241340000000.000000+000"));
  CHECK(windows_date_to_unix_ms("20241127") == 1732665600000);
  CHECK(windows_date_to_unix_ms("11/27/2024") == 1732665600000);
  CHECK_FALSE(windows_date_to_unix_ms("27.11.2024"));
  CHECK(utf16le_to_utf8(std::string("K\0\xfc\0", 4)) == "K\xc3\xbc");
  CHECK(utf16le_to_utf8(std::string("\x3d\xd8\x00\xde", 4)) == "\xf0\x9f\x98\x80");
  CHECK(utf16le_to_utf8(std::string("\x00\xd8", 2)) == "\xef\xbf\xbd");
  CHECK(decode_text_file(std::string("\xff\xfeV\0", 4)) == "V");
  CHECK(decode_text_file("\xef\xbb\xbfV") == "V");
}
