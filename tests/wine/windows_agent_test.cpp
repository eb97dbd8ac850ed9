// The Windows agent end to end: the real triage-agent.exe (cross-built with MinGW-w64, as
// `make windows` builds it) run under Wine against a real collector on 127.0.0.1.

#include <catch2/catch.hpp>

#include "tests/support/collector_fixture.hpp"
#include "tests/wine/wine_agent.hpp"
#include "tests/wine/wine_session.hpp"

using namespace triage::testing;

namespace {

nlohmann::json find_device(CollectorFixture& collector, const std::string& device_id) {
  auto res = collector.get("/api/v1/devices", collector.admin_token());
  for (const auto& d : res.body["devices"]) {
    if (d["id"] == device_id) return d;
  }
  return nullptr;
}

}  // namespace

TEST_CASE(
    "Windows agent under Wine: enrolls with a one-time token and the CA pin, runs, and is online "
    "with the facts Wine reports",
    "[windows][integration]") {
  CollectorFixture collector;
  WineAgent agent(collector, "facts");
  auto enrolled = agent.enroll();
  INFO("enroll stdout: " << enrolled.out << "\nstderr: " << enrolled.err);
  REQUIRE(enrolled.exit_code == 0);
  const auto device_id = agent.device_id();
  REQUIRE(device_id.size() == 36);
  // The state went where --state said, through Wine's Z: drive.
  CHECK(std::filesystem::exists(agent.state_dir() / "enrollment.json"));

  agent.start();
  if (!eventually([&] { return device_online(collector, device_id); }, std::chrono::seconds(90))) {
    FAIL("the device did not come online; agent stderr:\n" << agent.process().stderr_text());
  }

  // What Wine says of the machine, from the Hello's device facts.
  const auto device = find_device(collector, device_id);
  REQUIRE(device.is_object());
  CHECK(device["agent_version"] == TRIAGE_VERSION_FOR_TESTS);
  CHECK_THAT(device["os"].get<std::string>(), Catch::Contains("Windows"));
  CHECK_THAT(device["kernel"].get<std::string>(), Catch::StartsWith("Windows NT "));
  CHECK(device["arch"] == "x86_64");
  CHECK(device["platform"] == "windows");
  // Wine reports the host's name as the computer's DNS host name.
  CHECK(device["hostname"] == local_host_name());

  agent.stop();
  CHECK(eventually([&] { return !device_online(collector, device_id); }));
}

TEST_CASE("Windows agent under Wine: a forged CA pin is refused and nothing is enrolled",
          "[windows][integration]") {
  auto& wine = WineSession::shared();
  CollectorFixture collector;
  const auto state = collector.root() / "windows-agent";
  std::string forged = collector.ca_sha256();
  forged.back() = forged.back() == '0' ? '1' : '0';

  auto enrolled = run_command(
      wine.agent({"enroll", "--server", collector.wss_url(), "--token", collector.create_token(),
                  "--ca-sha256", forged, "--state", WineSession::windows_path(state)}),
      collector.root(), "", std::chrono::seconds(120));
  INFO("enroll stdout: " << enrolled.out << "\nstderr: " << enrolled.err);
  CHECK(enrolled.exit_code != 0);
  CHECK_FALSE(std::filesystem::exists(state / "enrollment.json"));
  CHECK_FALSE(std::filesystem::exists(state / "device.key"));
}
