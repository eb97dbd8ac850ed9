// The live WinHost for real: a registry key of every value type written here and read back
// field by field (both views), WMI rows and a class that does not exist, the Event Log (Wine
// has next to none: an answer or a clean error), files, and the whole Windows catalog run
// live by SnapshotTaker with each collector's outcome and cost printed for the record.
#include "shared/util/windows/windows_api.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <thread>

#include <catch2/catch.hpp>

#include "agent/collectors/budget.hpp"
#include "agent/collectors/host.hpp"
#include "agent/collectors/snapshot_taker.hpp"
#include "agent/collectors/windows/live_win_host.hpp"
#include "agent/collectors/windows/win_api_gatherers.hpp"
#include "agent/collectors/windows_sources/windows_catalog.hpp"
#include "tests/windows/windows_test_support.hpp"

namespace ta = triage::agent;
namespace v1 = triage::v1;
using triage::ErrorCode;
using triage::testing::WindowsTempDir;

namespace {

const std::wstring kTestKey = L"SOFTWARE\\TriageTest";

/// HKLM\SOFTWARE\TriageTest in one view, removed with everything under it when this goes away.
class TestKey {
 public:
  explicit TestKey(REGSAM view) : view_(view) {
    REQUIRE(::RegCreateKeyExW(HKEY_LOCAL_MACHINE, kTestKey.c_str(), 0, nullptr, 0,
                              KEY_ALL_ACCESS | view_, nullptr, &key_, nullptr) == ERROR_SUCCESS);
  }
  ~TestKey() {
    ::RegCloseKey(key_);
    HKEY software = nullptr;
    if (::RegOpenKeyExW(HKEY_LOCAL_MACHINE, L"SOFTWARE", 0, KEY_ALL_ACCESS | view_, &software) ==
        ERROR_SUCCESS) {
      ::RegDeleteTreeW(software, L"TriageTest");
      ::RegDeleteKeyExW(software, L"TriageTest", view_, 0);
      ::RegCloseKey(software);
    }
  }
  TestKey(const TestKey&) = delete;
  TestKey& operator=(const TestKey&) = delete;

  void set(const wchar_t* name, DWORD type, const void* data, std::size_t size) {
    REQUIRE(::RegSetValueExW(key_, name, 0, type, static_cast<const BYTE*>(data),
                             static_cast<DWORD>(size)) == ERROR_SUCCESS);
  }
  void set_text(const wchar_t* name, DWORD type, std::wstring_view text, bool with_nul = true) {
    set(name, type, text.data(), (text.size() + (with_nul ? 1 : 0)) * sizeof(wchar_t));
  }
  void add_subkey(const wchar_t* name) {
    HKEY child = nullptr;
    REQUIRE(::RegCreateKeyExW(key_, name, 0, nullptr, 0, KEY_ALL_ACCESS | view_, nullptr, &child,
                              nullptr) == ERROR_SUCCESS);
    ::RegCloseKey(child);
  }

 private:
  REGSAM view_;
  HKEY key_ = nullptr;
};

std::int64_t now_unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// CPU time of this whole process (all threads), in milliseconds.
std::int64_t process_cpu_ms() {
  FILETIME created{}, exited{}, kernel{}, user{};
  ::GetProcessTimes(::GetCurrentProcess(), &created, &exited, &kernel, &user);
  auto ticks = [](const FILETIME& t) {
    return (static_cast<std::int64_t>(t.dwHighDateTime) << 32) | t.dwLowDateTime;
  };
  return (ticks(kernel) + ticks(user)) / 10000;
}

std::string outcome_name(v1::CollectorStatus::Outcome outcome) {
  return v1::CollectorStatus::Outcome_Name(outcome);
}

}  // namespace

TEST_CASE("live WinHost: the live Host hands out the running machine", "[windows][sources]") {
  auto host = ta::make_live_host();
  REQUIRE(host->windows() != nullptr);
  CHECK(host->windows()->live());
  // Made once, kept for the host's life.
  CHECK(host->windows() == host->windows());
}

TEST_CASE("live WinHost: a key of every value type reads back field by field",
          "[windows][sources][registry]") {
  auto win = ta::make_live_win_host();
  const auto before = now_unix_ms();
  {
    TestKey key(KEY_WOW64_64KEY);
    key.set_text(L"", REG_SZ, L"the default value");
    key.set_text(L"Text", REG_SZ, L"gr\u00fc\u00dfe \u65e5\u672c");
    key.set_text(L"NoTerminator", REG_SZ, L"cut short", /*with_nul=*/false);
    key.set_text(L"Expand", REG_EXPAND_SZ, L"%SystemRoot%\\Minidump");
    key.set(L"Multi", REG_MULTI_SZ, L"one\0two\0three\0\0", 15 * sizeof(wchar_t));
    const DWORD dword = 0xDEADBEEF;
    key.set(L"Dword", REG_DWORD, &dword, sizeof dword);
    const std::uint64_t qword = 0x123456789ABCDEF0ULL;
    key.set(L"Qword", REG_QWORD, &qword, sizeof qword);
    const BYTE binary[] = {0x00, 0x01, 0x7F, 0xFF};
    key.set(L"Binary", REG_BINARY, binary, sizeof binary);
    key.set(L"Nothing", REG_NONE, nullptr, 0);
    key.add_subkey(L"ChildA");
    key.add_subkey(L"ChildB");

    auto read = win->registry("HKEY_LOCAL_MACHINE\\SOFTWARE\\TriageTest");
    REQUIRE(read);
    using Type = ta::RegistryValue::Type;
    CHECK(read->values.size() == 9);
    CHECK(read->text("") == "the default value");
    CHECK(read->values.at("text").type == Type::kString);
    CHECK(read->text("Text") ==
          "gr\xC3\xBC\xC3\x9F"
          "e \xE6\x97\xA5\xE6\x9C\xAC");
    CHECK(read->text("NoTerminator") == "cut short");
    CHECK(read->values.at("Expand").type == Type::kExpandString);
    CHECK(read->text("Expand") == "%SystemRoot%\\Minidump");
    CHECK(read->values.at("Multi").type == Type::kMultiString);
    CHECK(read->values.at("Multi").strings == std::vector<std::string>{"one", "two", "three"});
    CHECK(read->values.at("Dword").type == Type::kDword);
    CHECK(read->number("Dword") == 0xDEADBEEFu);
    CHECK(read->values.at("Qword").type == Type::kQword);
    CHECK(read->number("Qword") == 0x123456789ABCDEF0ULL);
    CHECK(read->values.at("Binary").type == Type::kBinary);
    CHECK(read->values.at("Binary").bytes == std::vector<std::uint8_t>{0x00, 0x01, 0x7F, 0xFF});
    CHECK(read->values.at("Nothing").type == Type::kOther);
    CHECK(read->values.at("Nothing").bytes.empty());
    std::sort(read->subkeys.begin(), read->subkeys.end());
    CHECK(read->subkeys == std::vector<std::string>{"ChildA", "ChildB"});
    // Written a moment ago (the registry's clock is the system's; allow for rounding).
    CHECK(read->last_write_unix_ms >= before - 2000);
    CHECK(read->last_write_unix_ms <= now_unix_ms() + 2000);

    // The short root, a trailing backslash and the explicit 64-bit view read the same key.
    auto again = win->registry("hklm\\software\\triagetest\\", ta::RegistryView::k64);
    REQUIRE(again);
    CHECK(again->number("Dword") == 0xDEADBEEFu);
    // 32-bit programs do not see it.
    auto wow = win->registry("HKLM\\SOFTWARE\\TriageTest", ta::RegistryView::k32);
    REQUIRE_FALSE(wow);
    CHECK(wow.error().code == ErrorCode::kNotFound);
    auto child = win->registry("HKLM\\SOFTWARE\\TriageTest\\ChildA");
    REQUIRE(child);
    CHECK(child->values.empty());
    CHECK(child->subkeys.empty());
  }
  // Deleted with the guard: now missing.
  auto gone = win->registry("HKLM\\SOFTWARE\\TriageTest");
  REQUIRE_FALSE(gone);
  CHECK(gone.error().code == ErrorCode::kNotFound);
  auto bad_root = win->registry("HKXX\\SOFTWARE");
  REQUIRE_FALSE(bad_root);
  CHECK(bad_root.error().code == ErrorCode::kInvalid);
}

TEST_CASE("live WinHost: the 32-bit view reads what 32-bit programs write",
          "[windows][sources][registry]") {
  auto win = ta::make_live_win_host();
  TestKey key(KEY_WOW64_32KEY);
  key.set_text(L"DisplayName", REG_SZ, L"Legacy Tool (x86)");
  auto read = win->registry("HKLM\\SOFTWARE\\TriageTest", ta::RegistryView::k32);
  REQUIRE(read);
  CHECK(read->text("DisplayName") == "Legacy Tool (x86)");
  auto native = win->registry("HKLM\\SOFTWARE\\TriageTest", ta::RegistryView::k64);
  REQUIRE_FALSE(native);
  CHECK(native.error().code == ErrorCode::kNotFound);
}

TEST_CASE("live WinHost: WMI answers rows, and kNotFound for what it lacks",
          "[windows][sources][wmi]") {
  // Run alone (a fresh process), these are what starting COM costs the snapshot and what the
  // first WMI query costs the source that asks it.
  struct Cost {
    std::chrono::microseconds cpu = ta::thread_cpu_time();
    std::int64_t heap = static_cast<std::int64_t>(ta::heap_in_use_bytes());
    std::chrono::steady_clock::time_point wall = std::chrono::steady_clock::now();
    std::string since() const {
      using std::chrono::duration_cast;
      using std::chrono::milliseconds;
      return std::to_string(duration_cast<milliseconds>(ta::thread_cpu_time() - cpu).count()) +
             " ms CPU, " +
             std::to_string(
                 duration_cast<milliseconds>(std::chrono::steady_clock::now() - wall).count()) +
             " ms wall, private bytes +" +
             std::to_string((static_cast<std::int64_t>(ta::heap_in_use_bytes()) - heap) / 1024) +
             " KiB";
    }
  };
  Cost starting;
  auto win = ta::make_live_win_host(/*start_com=*/true);
  WARN("starting COM and WMI's client: " << starting.since());
  Cost first;
  auto os = win->wmi("root\\cimv2", "Win32_OperatingSystem", {"Caption", "BuildNumber"});
  WARN("first WMI query: " << first.since());
  REQUIRE(os);
  REQUIRE(os->size() >= 1);
  const auto& row = os->front();
  WARN("Win32_OperatingSystem under this system: " << row.dump());
  REQUIRE(row.contains("Caption"));
  REQUIRE(row.contains("BuildNumber"));
  CHECK(row["Caption"].is_string());
  CHECK_FALSE(row["Caption"].get<std::string>().empty());
  CHECK(row["BuildNumber"].is_string());

  // 64-bit integers arrive as text and leave as numbers; datetimes stay text; a property the
  // class lacks is null.
  auto typed = win->wmi("root\\cimv2", "Win32_OperatingSystem",
                        {"TotalVisibleMemorySize", "LastBootUpTime", "NoSuchPropertyHere"});
  REQUIRE(typed);
  REQUIRE(typed->size() >= 1);
  WARN("typed properties: " << typed->front().dump());
  const auto& t = typed->front();
  CHECK(
      (t["TotalVisibleMemorySize"].is_number_unsigned() || t["TotalVisibleMemorySize"].is_null()));
  CHECK((t["LastBootUpTime"].is_string() || t["LastBootUpTime"].is_null()));
  CHECK(t["NoSuchPropertyHere"].is_null());

  // Every property, when none is named.
  auto all = win->wmi("root\\cimv2", "Win32_OperatingSystem", {});
  REQUIRE(all);
  REQUIRE(all->size() >= 1);
  CHECK(all->front().contains("Caption"));

  auto missing = win->wmi("root\\cimv2", "Win32_NoSuchClassForTriage", {"Name"});
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == ErrorCode::kNotFound);
  auto no_namespace = win->wmi("root\\NoSuchNamespaceForTriage", "Win32_Thing", {"Name"});
  REQUIRE_FALSE(no_namespace);
  CHECK(no_namespace.error().code == ErrorCode::kNotFound);
  auto hostile = win->wmi("root\\cimv2", "Win32_Process WHERE Name='x'", {"Name"});
  REQUIRE_FALSE(hostile);
  CHECK(hostile.error().code == ErrorCode::kInvalid);

  // Another thread joins COM itself and connects anew.
  bool other_ok = false;
  std::thread other([&] {
    auto win2 = ta::make_live_win_host();
    auto rows = win2->wmi("root\\cimv2", "Win32_OperatingSystem", {"Caption"});
    other_ok = rows && !rows->empty();
  });
  other.join();
  CHECK(other_ok);
  auto after = win->wmi("root\\cimv2", "Win32_ComputerSystem", {"Manufacturer", "Model"});
  CHECK(after);
}

TEST_CASE("live WinHost: the Event Log answers or fails cleanly", "[windows][sources][events]") {
  auto win = ta::make_live_win_host();
  for (const char* log : {"System", "Application"}) {
    ta::EventQuery query;
    query.log = log;
    query.max_level = 3;
    query.since_unix_ms = now_unix_ms() - 24LL * 3600 * 1000;
    query.max_records = 20;
    auto records = win->events(query);
    if (records) {
      WARN("Event Log " << log << ": " << records->size() << " records");
      CHECK(records->size() <= 20);
      for (const auto& r : *records) {
        CHECK(r.log == log);
        CHECK(r.level <= 3);
        CHECK(r.time_unix_ms >= query.since_unix_ms);
      }
    } else {
      WARN("Event Log " << log << ": " << records.error().message);
      CHECK_FALSE(records.error().message.empty());
    }
  }
  ta::EventQuery missing;
  missing.log = "NoSuchLogForTriage";
  auto none = win->events(missing);
  REQUIRE_FALSE(none);
  WARN("Event Log NoSuchLogForTriage: " << none.error().message);
  CHECK(
      (none.error().code == ErrorCode::kNotFound || none.error().code == ErrorCode::kUnavailable));
  ta::EventQuery hostile;
  hostile.log = "System";
  hostile.providers = {"x'] or 1=1 or Provider[@Name='y"};
  auto refused = win->events(hostile);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ErrorCode::kInvalid);
}

TEST_CASE("live WinHost: directories and files", "[windows][sources][files]") {
  auto win = ta::make_live_win_host();
  WindowsTempDir dir;
  std::ofstream(dir.path() / L"042.dmp", std::ios::binary) << "MDMP!";
  std::filesystem::create_directories(dir.path() / L"sub");
  const std::string path = dir.path().string();

  auto entries = win->list_directory(path);
  REQUIRE(entries);
  REQUIRE(entries->size() == 2);
  std::sort(entries->begin(), entries->end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  CHECK(entries->at(0).name == "042.dmp");
  CHECK_FALSE(entries->at(0).directory);
  CHECK(entries->at(0).size_bytes == 5);
  CHECK(entries->at(0).modified_unix_ms > now_unix_ms() - 3600 * 1000);
  CHECK(entries->at(1).name == "sub");
  CHECK(entries->at(1).directory);
  CHECK(win->list_directory(path + "\\")->size() == 2);

  auto windows_dir = win->list_directory("C:\\Windows");
  REQUIRE(windows_dir);
  CHECK(windows_dir->size() > 5);

  auto missing = win->list_directory(path + "\\nothing-here");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == ErrorCode::kNotFound);

  auto whole = win->read_file(path + "\\042.dmp", 1024);
  REQUIRE(whole);
  CHECK(*whole == "MDMP!");
  auto cut = win->read_file(path + "\\042.dmp", 4);
  REQUIRE(cut);
  CHECK(*cut == "MDMP");
  auto no_file = win->read_file(path + "\\none.txt", 10);
  REQUIRE_FALSE(no_file);
  CHECK(no_file.error().code == ErrorCode::kNotFound);
}

TEST_CASE("live WinHost: every Win32 gatherer answers or fails, unknown names are not found",
          "[windows][sources][api]") {
  auto win = ta::make_live_win_host();
  auto unknown = win->api("no_such_gatherer_for_triage");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == ErrorCode::kNotFound);
  for (const auto& gatherer : ta::api_gatherers()) {
    const auto start = std::chrono::steady_clock::now();
    auto answer = win->api(gatherer.name);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
    WARN("api " << gatherer.name << " (" << ms << " ms): "
                << (answer ? answer->dump().substr(0, 300) : "error: " + answer.error().message));
    CHECK(ms < 30000);
  }
}

TEST_CASE("live WinHost: the whole Windows catalog runs live within its budgets",
          "[windows][sources][catalog]") {
  ta::SnapshotTaker taker(ta::SnapshotOptions{}, ta::windows_collector_catalog(), nullptr);
  // The first snapshot pays for starting COM and WMI in this process; the second is the
  // steady state of a snapshot process that the daemon starts anew each time.
  for (int round = 1; round <= 2; ++round) {
    const auto cpu_before = process_cpu_ms();
    const auto wall_before = std::chrono::steady_clock::now();
    auto snapshot = taker.take();
    const auto wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - wall_before)
                             .count();
    const auto cpu_ms = process_cpu_ms() - cpu_before;
    REQUIRE(snapshot.collectors_size() == static_cast<int>(ta::windows_collector_catalog().size()));
    std::string table;
    for (const auto& c : snapshot.collectors()) {
      table += "  " + c.name() + ": " + outcome_name(c.outcome()) +
               ", cpu_ms=" + std::to_string(c.cpu_ms()) +
               ", wall_ms=" + std::to_string(c.wall_ms()) +
               ", heap=" + std::to_string(c.peak_heap_bytes()) + ", " + c.message() + "\n";
    }
    WARN("Windows catalog, snapshot " << round << ": " << snapshot.collectors_size()
                                      << " collectors, " << cpu_ms << " ms CPU, " << wall_ms
                                      << " ms wall, " << snapshot.ByteSizeLong() << " bytes\n"
                                      << table);
    for (const auto& c : snapshot.collectors()) {
      INFO(c.name() << ": " << outcome_name(c.outcome()) << " " << c.message());
      if (round == 1) CHECK(c.outcome() != v1::CollectorStatus::OVER_BUDGET);
      if (c.outcome() == v1::CollectorStatus::FAILED)
        CHECK(c.message().find("internal error") == std::string::npos);
    }
  }
}
