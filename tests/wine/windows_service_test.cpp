// The Windows agent as a service under Wine's Service Control Manager: registered by
// `triage-agent.exe service install` or by the MSI under `msiexec /qn`, started by the SCM,
// online at a real collector on 127.0.0.1, then stopped and removed. Both use the agent's
// default state folder, %ProgramData%\triage, so each starts by removing it.

#include <fstream>

#include <catch2/catch.hpp>

#include "shared/util/files.hpp"
#include "tests/support/collector_fixture.hpp"
#include "tests/wine/wine_session.hpp"

using namespace triage::testing;

namespace {

constexpr auto kWineTimeout = std::chrono::seconds(120);

/// A fresh %ProgramData%\triage holding only the agent's config: no active probes (tests send
/// traffic to loopback only).
std::filesystem::path fresh_program_data(const WineSession& wine) {
  const auto dir = wine.drive_c() / "ProgramData" / "triage";
  std::filesystem::remove_all(dir);
  return dir;
}

void write_agent_config(const std::filesystem::path& state) {
  std::filesystem::create_directories(state);
  std::ofstream(state / "agent.toml") << "[probes]\nenabled = false\n";
}

std::string enrolled_device_id(const std::filesystem::path& state) {
  auto text = triage::read_file(state / "enrollment.json", 64 * 1024);
  if (!text) return "";
  return nlohmann::json::parse(*text, nullptr, false).value("device_id", "");
}

/// A one-time enrollment token in a file (never on a command line).
std::filesystem::path write_token_file(CollectorFixture& collector) {
  const auto file = collector.root() / "enroll.token";
  REQUIRE(triage::write_file_atomic(file, collector.create_token() + "\n", 0600));
  return file;
}

/// Whether the service's process (`triage-agent.exe run` under Wine) is still alive.
bool agent_service_running() {
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    auto cmdline = triage::read_file(entry.path() / "cmdline", 64 * 1024);
    if (cmdline && cmdline->find("triage-agent.exe") != std::string::npos &&
        cmdline->find("run") != std::string::npos) {
      return true;
    }
  }
  return false;
}

/// "0.1.0" -> "0.1.1": the third field is the last one MSI compares.
std::string newer_version(const std::string& version) {
  const auto dot = version.rfind('.');
  return version.substr(0, dot + 1) + std::to_string(std::stoi(version.substr(dot + 1)) + 1);
}

bool service_registered(const WineSession& wine, const std::filesystem::path& log_dir) {
  auto query =
      run_command(wine.wine_program({"sc", "query", "triage-agent"}), log_dir, "", kWineTimeout);
  return query.exit_code == 0 && query.out.find("triage-agent") != std::string::npos;
}

}  // namespace

TEST_CASE(
    "Windows service: `service install` registers the agent, the SCM starts it and it comes "
    "online; `service uninstall` stops and removes it",
    "[windows][integration]") {
  auto& wine = WineSession::shared();
  CollectorFixture collector;
  const auto state = fresh_program_data(wine);
  const auto token_file = write_token_file(collector);

  // No --state: the service's own folder.
  auto enrolled = run_command(
      wine.agent({"enroll", "--server", collector.wss_url(), "--token-file",
                  WineSession::windows_path(token_file), "--ca-sha256", collector.ca_sha256()}),
      collector.root(), "", kWineTimeout);
  INFO("enroll: " << enrolled.out << enrolled.err);
  REQUIRE(enrolled.exit_code == 0);
  const auto device_id = enrolled_device_id(state);
  REQUIRE(device_id.size() == 36);
  write_agent_config(state);

  auto installed =
      run_command(wine.agent({"service", "install"}), collector.root(), "", kWineTimeout);
  INFO("service install: " << installed.out << installed.err);
  REQUIRE(installed.exit_code == 0);
  CHECK(service_registered(wine, collector.root()));

  auto started = run_command(wine.wine_program({"sc", "start", "triage-agent"}), collector.root(),
                             "", kWineTimeout);
  INFO("sc start: " << started.out << started.err);
  CHECK(started.exit_code == 0);
  CHECK(eventually([&] { return device_online(collector, device_id); }, std::chrono::seconds(90)));
  // A service has no console: what it logs is in its state folder's rotated file.
  const auto log_file = state / "logs" / "agent.log";
  CHECK(eventually(
      [&] {
        auto text = triage::read_file(log_file, 1024 * 1024);
        return text && text->find("connected to") != std::string::npos &&
               text->find(device_id) != std::string::npos;
      },
      std::chrono::seconds(30)));

  auto removed =
      run_command(wine.agent({"service", "uninstall"}), collector.root(), "", kWineTimeout);
  INFO("service uninstall: " << removed.out << removed.err);
  CHECK(removed.exit_code == 0);
  CHECK_FALSE(service_registered(wine, collector.root()));
  // Stopped with the service: its connection ends.
  CHECK(eventually([&] { return !device_online(collector, device_id); }, std::chrono::seconds(60)));
}

TEST_CASE(
    "Windows MSI: msiexec /i with SERVER, TOKEN_FILE and CA_SHA256 installs under Program "
    "Files, enrolls, registers and starts the service; an upgrade keeps the device; msiexec /x "
    "removes it",
    "[windows][integration]") {
  auto& wine = WineSession::shared();
  CollectorFixture collector;
  const auto state = fresh_program_data(wine);
  // Before the install: the service starts within msiexec.
  write_agent_config(state);
  const auto token_file = write_token_file(collector);
  const auto msi =
      WineSession::windows_path(std::string(TRIAGE_WINDOWS_BIN_DIR) + "/triage-agent.msi");

  auto installed =
      run_command(wine.wine_program({"msiexec", "/i", msi, "SERVER=" + collector.wss_url(),
                                     "TOKEN_FILE=" + WineSession::windows_path(token_file),
                                     "CA_SHA256=" + collector.ca_sha256(), "/qn"}),
                  collector.root(), "", std::chrono::seconds(300));
  INFO("msiexec /i: " << installed.out << installed.err);
  REQUIRE(installed.exit_code == 0);
  CHECK(std::filesystem::exists(wine.drive_c() / "Program Files" / "triage" / "triage-agent.exe"));
  CHECK(service_registered(wine, collector.root()));
  const auto device_id = enrolled_device_id(state);
  REQUIRE(device_id.size() == 36);
  CHECK(eventually([&] { return device_online(collector, device_id); }, std::chrono::seconds(90)));

  // Windows' msiexec waits for the service to stop before it replaces or removes the program
  // (ServiceControl Wait="yes"); Wine's sends the stop and goes on, so the exe, still mapped,
  // would stay. Stopped first here; what Wine does not prove is listed in docs/operations.md.
  const auto stop_service = [&] {
    run_command(wine.wine_program({"sc", "stop", "triage-agent"}), collector.root(), "",
                kWineTimeout);
    REQUIRE(eventually([] { return !agent_service_running(); }, std::chrono::seconds(60)));
  };

  // An upgrade (a newer MSI of the same product, without the enrollment properties) keeps the
  // state: the same device comes back online.
  // wixl finds a File's Source beside the .wxs it builds.
  const auto upgrade_dir = collector.root() / "upgrade";
  std::filesystem::create_directories(upgrade_dir);
  std::filesystem::copy_file(std::string(TRIAGE_WINDOWS_BIN_DIR) + "/triage-agent.exe",
                             upgrade_dir / "triage-agent.exe");
  std::filesystem::copy_file(
      std::string(TRIAGE_SOURCE_DIR) + "/installers/windows/triage-agent.wxs",
      upgrade_dir / "triage-agent.wxs");
  const auto newer = newer_version(TRIAGE_VERSION_FOR_TESTS);
  const auto newer_msi_path = upgrade_dir / "triage-agent-newer.msi";
  auto built = run_command(
      {TRIAGE_WIXL, "-a", "x64", "-D", "Version=" + newer, "-D", "AgentExe=triage-agent.exe", "-o",
       newer_msi_path.string(), (upgrade_dir / "triage-agent.wxs").string()},
      upgrade_dir, "", kWineTimeout);
  INFO("wixl: " << built.out << built.err);
  REQUIRE(built.exit_code == 0);
  const auto newer_msi = WineSession::windows_path(newer_msi_path);
  stop_service();
  CHECK(eventually([&] { return !device_online(collector, device_id); }, std::chrono::seconds(60)));
  auto upgraded = run_command(wine.wine_program({"msiexec", "/i", newer_msi, "/qn"}),
                              collector.root(), "", std::chrono::seconds(300));
  INFO("msiexec /i (upgrade to " << newer << "): " << upgraded.out << upgraded.err);
  REQUIRE(upgraded.exit_code == 0);
  CHECK(enrolled_device_id(state) == device_id);
  CHECK(service_registered(wine, collector.root()));
  CHECK(eventually([&] { return device_online(collector, device_id); }, std::chrono::seconds(90)));

  stop_service();
  auto removed = run_command(wine.wine_program({"msiexec", "/x", newer_msi, "/qn"}),
                             collector.root(), "", std::chrono::seconds(300));
  INFO("msiexec /x: " << removed.out << removed.err);
  CHECK(removed.exit_code == 0);
  CHECK_FALSE(service_registered(wine, collector.root()));
  CHECK_FALSE(
      std::filesystem::exists(wine.drive_c() / "Program Files" / "triage" / "triage-agent.exe"));
  // What uninstall leaves: the state (identity, spool, history).
  CHECK(std::filesystem::exists(state / "enrollment.json"));
  CHECK(eventually([&] { return !device_online(collector, device_id); }, std::chrono::seconds(60)));
}
