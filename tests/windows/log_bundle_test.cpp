// The Windows log bundle (collect-windows-log-bundle): a tar.gz read back with libarchive that
// carries the event logs or says why each is missing, the agent's status and a manifest; that
// stays under its cap by exporting shorter windows and leaving logs out, never by cutting an
// .evtx; that refuses out-of-range requests; and that leaves no work folder behind.
// Wine's Event Log service exports nothing (EvtExportLog fails): there the live test checks the
// reported errors, and the cap is exercised with a stand-in exporter.
#include <catch2/catch.hpp>

#include "shared/util/windows/windows_api.hpp"
// After windows.h.
#include <aclapi.h>
#include <archive.h>
#include <archive_entry.h>
#include <sddl.h>

#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "agent/actions/log_bundle_command.hpp"
#include "agent/actions/windows/event_log_bundle.hpp"
#include "shared/util/windows/wide_string.hpp"
#include "tests/windows/windows_test_support.hpp"

namespace ta = triage::agent;

namespace {

/// Every file of a tar.gz, by path; fails the test when it is not one.
std::map<std::string, std::string> unpack(const std::string& bytes) {
  std::unique_ptr<archive, decltype(&archive_read_free)> a(archive_read_new(), &archive_read_free);
  archive_read_support_filter_gzip(a.get());
  archive_read_support_format_tar(a.get());
  REQUIRE(archive_read_open_memory(a.get(), bytes.data(), bytes.size()) == ARCHIVE_OK);
  std::map<std::string, std::string> files;
  archive_entry* entry = nullptr;
  int rc = ARCHIVE_OK;
  while ((rc = archive_read_next_header(a.get(), &entry)) == ARCHIVE_OK) {
    std::string content;
    char buf[65536];
    for (;;) {
      const auto n = archive_read_data(a.get(), buf, sizeof buf);
      REQUIRE(n >= 0);
      if (n == 0) break;
      content.append(buf, static_cast<std::size_t>(n));
    }
    files[archive_entry_pathname(entry)] = std::move(content);
  }
  CHECK(rc == ARCHIVE_EOF);
  return files;
}

/// Bytes that do not compress, so the cap has to leave them out.
std::string noise(std::size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

/// The names of the work folders the bundle may have left in `parent`.
std::set<std::wstring> work_folders(const std::filesystem::path& parent) {
  std::set<std::wstring> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(parent, ec)) {
    const auto name = e.path().filename().wstring();
    if (name.rfind(L"triage-log-bundle-", 0) == 0) out.insert(name);
  }
  return out;
}

std::wstring dacl_sddl(const std::filesystem::path& dir) {
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  PSID owner = nullptr;
  PACL dacl = nullptr;
  if (::GetNamedSecurityInfoW(dir.c_str(), SE_FILE_OBJECT,
                              DACL_SECURITY_INFORMATION | OWNER_SECURITY_INFORMATION, &owner,
                              nullptr, &dacl, nullptr, &descriptor) != ERROR_SUCCESS) {
    return L"";
  }
  wchar_t* text = nullptr;
  std::wstring sddl;
  if (::ConvertSecurityDescriptorToStringSecurityDescriptorW(
          descriptor, SDDL_REVISION_1, DACL_SECURITY_INFORMATION | OWNER_SECURITY_INFORMATION,
          &text, nullptr)) {
    sddl = text;
    ::LocalFree(text);
  }
  ::LocalFree(descriptor);
  return sddl;
}

const nlohmann::json* entry_named(const nlohmann::json& manifest, const std::string& name) {
  for (const auto& e : manifest["entries"]) {
    if (e["name"] == name) return &e;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("Windows log bundle: the event logs or why not, the status and a manifest",
          "[log-bundle]") {
  triage::testing::WindowsTempDir state;
  std::ofstream(state.path() / L"device.key", std::ios::binary) << "PRIVATE KEY BYTES";
  const auto parent = ta::default_work_parent();
  const auto before = work_folders(parent);
  ta::LogBundleOptions options;
  options.hours = 6;
  options.state_dir = triage::narrow(state.path().wstring());
  auto bundle = ta::build_log_bundle(options);
  INFO((bundle ? std::string("built") : bundle.error().message));
  REQUIRE(bundle);
  CHECK(bundle->size() <= ta::kLogBundleMaxBytes);
  CHECK(work_folders(parent) == before);
  auto files = unpack(*bundle);
  REQUIRE(files.count("triage-logs/manifest.json") == 1);
  REQUIRE(files.count("triage-logs/agent-status.json") == 1);
  auto status = nlohmann::json::parse(files["triage-logs/agent-status.json"]);
  CHECK(status["hours"] == 6);
  CHECK(status["state_files"]["device.key"] == 17);
  for (const auto& [name, content] : files) CHECK(content.find("PRIVATE KEY") == std::string::npos);
  auto manifest = nlohmann::json::parse(files["triage-logs/manifest.json"]);
  CHECK(manifest["hours"] == 6);
  CHECK(manifest["max_bytes"] == ta::kLogBundleMaxBytes);
  bool any_exported = false;
  for (const auto& channel : ta::log_bundle_channels()) {
    INFO(channel.file_name);
    const auto* e = entry_named(manifest, channel.file_name);
    REQUIRE(e != nullptr);
    const auto path = "triage-logs/" + channel.file_name;
    if ((*e)["included"] == true) {
      // An event log file (its header's magic), whole.
      any_exported = true;
      REQUIRE(files.count(path) == 1);
      CHECK(files[path].rfind(std::string("ElfFile\0", 8), 0) == 0);
      CHECK((*e)["bytes"] == files[path].size());
    } else {
      // Said why, with the system's message and its number.
      CHECK(files.count(path) == 0);
      const std::string error = (*e)["error"];
      CHECK_THAT(error, Catch::Contains("EvtExportLog: "));
      CHECK_THAT(error, Catch::Matches(".*\\([0-9]+\\)\\)?$"));
    }
  }
  if (!any_exported) WARN("no event log was exported here (Wine): the export itself unchecked");
}

TEST_CASE("Windows log bundle: a small cap narrows the largest log and leaves logs out",
          "[log-bundle]") {
  triage::testing::WindowsTempDir parent;
  // 40 KiB of incompressible events per hour and channel: one hour of each fits in 64 KiB, two
  // do not.
  constexpr std::size_t kPerHour = 40 * 1024;
  std::vector<std::pair<std::string, unsigned>> calls;
  std::vector<std::wstring> folder_acls;
  ta::EventLogBundleSetup setup;
  setup.work_parent = parent.path();
  setup.channels = {{L"System", "System.evtx", false},
                    {L"Application", "Application.evtx", false},
                    {L"Missing/Operational", "Missing-Operational.evtx", true}};
  setup.exporter = [&](const ta::EventLogChannel& channel, unsigned hours,
                       const std::filesystem::path& target) {
    calls.emplace_back(channel.file_name, hours);
    folder_acls.push_back(dacl_sddl(target.parent_path()));
    ta::EventLogExport result;
    if (channel.optional) {
      result.absent = true;
      result.error = "EvtExportLog: The specified channel could not be found. (15007)";
      return result;
    }
    CHECK_FALSE(std::filesystem::exists(target));
    const unsigned seed = channel.file_name == "System.evtx" ? 1 : 2;
    std::ofstream(target, std::ios::binary) << noise(hours * kPerHour, seed);
    result.bytes = hours * kPerHour;
    return result;
  };
  ta::LogBundleOptions options;
  options.hours = 8;
  options.max_bytes = 64 * 1024;
  auto bundle = ta::build_event_log_bundle(options, setup);
  INFO((bundle ? std::string("built") : bundle.error().message));
  REQUIRE(bundle);
  CHECK(bundle->size() <= options.max_bytes);
  // The work folder is gone with everything exported into it.
  CHECK(work_folders(parent.path()).empty());
  auto files = unpack(*bundle);
  auto manifest = nlohmann::json::parse(files["triage-logs/manifest.json"]);
  CHECK_THAT(manifest["fitting"].get<std::string>(), Catch::Contains("none is cut"));
  // The two logs narrowed in turn (the later one first on a tie) down to one hour; then
  // Application was left out and System's last hour fits, whole.
  const auto* system = entry_named(manifest, "System.evtx");
  REQUIRE(system != nullptr);
  CHECK((*system)["included"] == true);
  CHECK((*system)["hours"] == 1);
  CHECK((*system)["bytes"] == kPerHour);
  CHECK_THAT((*system)["note"].get<std::string>(),
             Catch::Contains("only the last 1 of 8 hours fit in the cap"));
  CHECK(files["triage-logs/System.evtx"] == noise(kPerHour, 1));
  const auto* application = entry_named(manifest, "Application.evtx");
  REQUIRE(application != nullptr);
  CHECK((*application)["included"] == false);
  CHECK((*application)["error"] ==
        "left out: even its last hour does not fit in the 65536-byte cap");
  CHECK(files.count("triage-logs/Application.evtx") == 0);
  using Call = std::pair<std::string, unsigned>;
  CHECK(calls == std::vector<Call>{{"System.evtx", 8},
                                   {"Application.evtx", 8},
                                   {"Missing-Operational.evtx", 8},
                                   {"Application.evtx", 4},
                                   {"System.evtx", 4},
                                   {"Application.evtx", 2},
                                   {"System.evtx", 2},
                                   {"Application.evtx", 1},
                                   {"System.evtx", 1}});
  const auto* missing = entry_named(manifest, "Missing-Operational.evtx");
  REQUIRE(missing != nullptr);
  CHECK((*missing)["included"] == false);
  CHECK_THAT((*missing)["error"].get<std::string>(), Catch::StartsWith("absent on this machine"));
  // The folder the logs were exported into: SYSTEM and Administrators only, where the system
  // keeps security descriptors (Wine derives them from Unix modes and keeps none).
  REQUIRE_FALSE(folder_acls.empty());
  const auto& sddl = folder_acls.front();
  INFO(triage::narrow(sddl));
  if (sddl.find(L"O:BA") == 0) {
    CHECK(sddl.find(L"D:P") != std::wstring::npos);
    CHECK(sddl.find(L"(A;OICI;FA;;;SY)") != std::wstring::npos);
    CHECK(sddl.find(L"(A;OICI;FA;;;BA)") != std::wstring::npos);
    CHECK(std::count(sddl.begin(), sddl.end(), L'(') == 2);
  } else {
    WARN("this system does not keep the security descriptors of files; DACL not checked");
  }
}

TEST_CASE("Windows log bundle: failed exports and refusals leave no work folder", "[log-bundle]") {
  triage::testing::WindowsTempDir parent;
  ta::EventLogBundleSetup setup;
  setup.work_parent = parent.path();
  setup.channels = {{L"System", "System.evtx", false}};
  setup.exporter = [](const ta::EventLogChannel&, unsigned, const std::filesystem::path& target) {
    // A partial file, then a failure: the service stopped half-way.
    std::ofstream(target, std::ios::binary) << "ElfFile";
    ta::EventLogExport result;
    result.error = "EvtExportLog: The RPC server is unavailable. (1722)";
    return result;
  };
  ta::LogBundleOptions options;
  options.hours = 168;
  auto bundle = ta::build_event_log_bundle(options, setup);
  REQUIRE(bundle);
  CHECK(work_folders(parent.path()).empty());
  auto files = unpack(*bundle);
  CHECK(files.count("triage-logs/System.evtx") == 0);
  auto manifest = nlohmann::json::parse(files["triage-logs/manifest.json"]);
  const auto* e = entry_named(manifest, "System.evtx");
  REQUIRE(e != nullptr);
  CHECK((*e)["error"] == "not exported: EvtExportLog: The RPC server is unavailable. (1722)");

  // A work folder that cannot be made is an error, not a crash.
  setup.work_parent = parent.path() / L"no-such-folder";
  auto refused = ta::build_event_log_bundle(options, setup);
  REQUIRE_FALSE(refused);
  CHECK_THAT(refused.error().message, Catch::Contains("cannot create a work folder"));
}

TEST_CASE("Windows log bundle: hours outside 1..168 and caps outside 4 KiB..4 MiB exit 2",
          "[log-bundle]") {
  const auto parent = ta::default_work_parent();
  const auto before = work_folders(parent);
  for (unsigned hours : {0u, 169u}) {
    ta::LogBundleOptions options;
    options.hours = hours;
    std::ostringstream err;
    CHECK(ta::run_log_bundle(options, err) == 2);
    CHECK_THAT(err.str(), Catch::Contains("--hours must be from 1 to 168"));
  }
  ta::LogBundleOptions options;
  options.max_bytes = ta::kLogBundleMaxBytes + 1;
  std::ostringstream err;
  CHECK(ta::run_log_bundle(options, err) == 2);
  CHECK_THAT(err.str(), Catch::Contains("--max-bytes"));
  CHECK(work_folders(parent) == before);
}
