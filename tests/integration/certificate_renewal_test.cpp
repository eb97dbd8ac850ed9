// Certificate renewal end to end: a real agent whose certificate lives four minutes asks for a
// new one over its mTLS connection, installs it and reconnects with it; the certificate it
// replaced is refused from then on; the renewal is audited.

#include <chrono>

#include <catch2/catch.hpp>

#include "shared/pki/certificates.hpp"
#include "shared/util/files.hpp"
#include "tests/integration/ws_probe.hpp"
#include "tests/support/collector_fixture.hpp"

using namespace triage;
using namespace triage::testing;
using namespace std::chrono_literals;

namespace {

std::string certificate_sha256(const std::filesystem::path& pem_file) {
  auto pem = read_file(pem_file);
  REQUIRE(pem);
  auto certificate = pki::certificate_from_pem(*pem);
  REQUIRE(certificate);
  return *pki::certificate_sha256(certificate->get());
}

nlohmann::json renewal_event(CollectorFixture& collector, const std::string& device_id) {
  auto res = collector.get("/api/v1/audit?type=device.certificate_renewed&limit=10",
                           collector.admin_token());
  if (res.status != 200 || !res.body["events"].is_array()) return nullptr;
  for (const auto& e : res.body["events"]) {
    if (e["target"] == "device:" + device_id) return e;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("an agent renews its certificate over its connection and the old one is retired",
          "[integration]") {
  // Four minutes, backdated five (the CA's allowance for slow clocks): due after one minute.
  CollectorFixture collector("[agents]\ncertificate_lifetime_s = 240\n");
  AgentFixture agent(collector, "a");
  REQUIRE(agent.enroll().exit_code == 0);
  const auto id = agent.device_id();
  const auto certificate_file = agent.state_dir() / "device.pem";
  const auto enrolled_sha = certificate_sha256(certificate_file);
  const auto enrolled_key = *read_file(agent.state_dir() / "device.key");
  auto enrolled_tls = agent.device_tls();
  agent.start();
  REQUIRE(eventually([&] { return device_online(collector, id); }));

  nlohmann::json event;
  REQUIRE(eventually(
      [&] {
        event = renewal_event(collector, id);
        return !event.is_null();
      },
      150s));
  INFO(event.dump(2) << "\nagent:\n" << agent.process()->stderr_text());
  CHECK(event["actor"] == id);
  CHECK(event["details"]["previous_certificate_sha256"] == enrolled_sha);
  const auto renewed_sha = event["details"]["certificate_sha256"].get<std::string>();
  CHECK(renewed_sha != enrolled_sha);

  // The agent installed a new key and the certificate the collector recorded, and connected
  // with them.
  REQUIRE(eventually([&] { return certificate_sha256(certificate_file) == renewed_sha; }, 30s));
  CHECK(*read_file(agent.state_dir() / "device.key") != enrolled_key);
  REQUIRE(eventually([&] {
    return agent.process()->stderr_text().find("device certificate renewed; reconnecting") !=
           std::string::npos;
  }));
  REQUIRE(eventually([&] { return device_online(collector, id); }, 30s));

  // Having connected with its new certificate, the device's old one opens nothing.
  bool refused = false;
  REQUIRE(eventually(
      [&] {
        WsProbe probe(*enrolled_tls, collector.port());
        probe.connect();
        refused = !probe.opened;
        return refused;
      },
      30s));
  CHECK(collector.process().stderr_text().find("certificate of device " + id + " was superseded") !=
        std::string::npos);
}
