// windows_os: the installation from the registry, on both recorded machines.
#include <catch2/catch.hpp>

#include "tests/agent/collectors/windows_sources/recorded_machine_support.hpp"

using namespace triage::agent;
namespace v1 = triage::v1;

TEST_CASE("windows_os: a Windows 11 laptop that still calls itself Windows 10",
          "[windows_os][recorded][win11-laptop]") {
  auto snap = testing::recorded_collect("win11-laptop", "windows_os");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& sys = snap.system();
  CHECK(sys.os_pretty_name() == "Windows 11 Pro 23H2");
  CHECK(sys.os_id() == "windows");
  CHECK(sys.os_version_id() == "10.0.22631");
  CHECK(sys.kernel_release() == "22631.4532");
  CHECK(sys.hostname() == "LT-SALES-042");
  CHECK(sys.machine_id() == "6f1d3c2a-8b4e-4f0a-9d7c-2e5b1a9c4f33");
  CHECK(sys.arch() == "x86_64");
  CHECK(sys.windows().edition() == "Professional");
  CHECK(sys.windows().display_version() == "23H2");
  CHECK(sys.windows().build() == 22631);
  CHECK(sys.windows().ubr() == 4532);
  CHECK(sys.windows().install_time_unix_ms() == 1697103000000);
  CHECK(sys.windows().product_type() == "workstation");
}

TEST_CASE("windows_os: a Windows Server 2022", "[windows_os][recorded][server2022]") {
  auto snap = testing::recorded_collect("server2022", "windows_os");
  const auto& sys = snap.system();
  CHECK(sys.os_pretty_name() == "Windows Server 2022 Standard 21H2");
  CHECK(sys.os_version_id() == "10.0.20348");
  CHECK(sys.kernel_release() == "20348.2846");
  CHECK(sys.hostname() == "FS-BERLIN-01");
  CHECK(sys.windows().edition() == "ServerStandard");
  CHECK(sys.windows().install_time_unix_ms() == 1646748000000);
  CHECK(sys.windows().product_type() == "server");
}

TEST_CASE("windows_os: not a Windows machine", "[windows_os]") {
  SnapshotOptions options;
  options.sysroot = std::string(TRIAGE_FIXTURES_DIR) + "/sysroot/desktop";
  for (const auto& spec : windows_collector_catalog()) {
    if (spec.name != "windows_os") continue;
    auto snap = SnapshotTaker(options, std::span<const CollectorSpec>(&spec, 1), nullptr).take();
    CHECK(snap.collectors(0).outcome() == v1::CollectorStatus::UNAVAILABLE);
    CHECK_FALSE(snap.has_system());
  }
}
