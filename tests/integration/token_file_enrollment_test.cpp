// A packaged agent enrolls itself: the token file configuration management dropped beside its
// config is used at the daemon's first start against a real collector, then deleted.
#include <fstream>

#include <catch2/catch.hpp>

#include "shared/util/files.hpp"
#include "tests/support/collector_fixture.hpp"

using namespace triage::testing;

TEST_CASE(
    "Unattended install: the agent enrolls from its token file at first start and comes "
    "online",
    "[integration][enroll]") {
  CollectorFixture collector;
  AgentFixture agent(collector, "unattended");
  const auto token_file = collector.root() / "enroll.token";
  REQUIRE(triage::write_file_atomic(token_file, collector.create_token() + "\n", 0600));
  const auto config = collector.root() / "unattended.toml";
  std::ofstream(config) << "[collector]\nurl = \"" << collector.wss_url() << "\"\nca_sha256 = \""
                        << collector.ca_sha256() << "\"\n[probes]\nenabled = false\n";

  agent.start({"--config", config.string(), "--enroll-token-file", token_file.string()});
  REQUIRE(eventually([&] { return !agent.device_id().empty(); }));
  const auto id = agent.device_id();
  CHECK(eventually([&] { return device_online(collector, id); }));
  CHECK_FALSE(std::filesystem::exists(token_file));

  // A restart runs with the enrollment it has; a token file dropped again is not used.
  agent.stop();
  REQUIRE(triage::write_file_atomic(token_file, "tri_not_used\n", 0600));
  agent.start({"--config", config.string(), "--enroll-token-file", token_file.string()});
  CHECK(eventually([&] { return !std::filesystem::exists(token_file); }));
  CHECK(eventually([&] { return device_online(collector, id); }));
  CHECK(agent.device_id() == id);
}
