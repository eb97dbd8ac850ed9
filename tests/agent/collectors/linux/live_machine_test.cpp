// Against this real machine: only what the OS itself reports is asserted.
#include <sys/utsname.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "agent/collectors/device_facts.hpp"
#include "agent/collectors/snapshot_taker.hpp"
#include "tests/agent/collectors/fixture_support.hpp"

using namespace triage::agent;
using triage::v1::CollectorStatus;

namespace {

triage::v1::Snapshot live_snapshot() {
  SnapshotOptions o;
  o.probes_enabled = false;
  o.process_sample_ms = 50;
  return SnapshotTaker(o).take();
}

std::uint64_t meminfo_total_bytes() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  std::uint64_t kb = 0;
  while (in >> key >> kb) {
    if (key == "MemTotal:") return kb * 1024;
    in.ignore(1 << 20, '\n');
  }
  return 0;
}

int dpkg_installed_count() {
  std::ifstream in("/var/lib/dpkg/status");
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    if (line.starts_with("Status: ") && line.ends_with(" installed")) ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("Live machine: identity matches what the kernel reports", "[live]") {
  auto snap = live_snapshot();
  char host[256] = {};
  ::gethostname(host, sizeof host);
  utsname u{};
  ::uname(&u);
  CHECK(snap.system().hostname() == host);
  CHECK(snap.system().kernel_release() == u.release);
  CHECK(snap.system().arch() == u.machine);
  CHECK(snap.hardware().memory().total_bytes() == meminfo_total_bytes());
  CHECK(snap.hardware().cpu().logical_cpus() ==
        static_cast<std::uint32_t>(::sysconf(_SC_NPROCESSORS_CONF)));
  CHECK(snap.collected_at_unix_ms() > 1700000000000);
  for (const auto& c : snap.collectors()) {
    CAPTURE(c.name(), c.message());
    // Budgets are timing: reported, never asserted (a loaded CI machine may trip a wall budget).
    if (c.outcome() == CollectorStatus::OVER_BUDGET)
      WARN("over budget: " << c.name() << ": " << c.message());
    CHECK(c.outcome() != CollectorStatus::FAILED);
  }
}

TEST_CASE("Live machine: dpkg package count matches the status database", "[live]") {
  if (::access("/var/lib/dpkg/status", R_OK) != 0) {
    WARN("no dpkg on this machine");
    return;
  }
  auto snap = live_snapshot();
  int dpkg = 0;
  for (const auto& p : snap.software().packages())
    dpkg += p.source() == triage::v1::Package::DPKG && p.state().empty();
  CHECK(dpkg == dpkg_installed_count());
}

TEST_CASE("Live machine: systemd absence is reported cleanly", "[live]") {
  if (::access("/run/systemd/system", F_OK) == 0) {
    WARN("systemd runs here");
    return;
  }
  auto snap = live_snapshot();
  auto st = testing::status_of(snap, "systemd_units");
  CHECK(st.outcome() == CollectorStatus::UNAVAILABLE);
  CHECK_THAT(st.message(), Catch::StartsWith("systemd not running"));
  CHECK_FALSE(snap.software().services().systemd_running());
}

TEST_CASE("Device facts are cheap and match the snapshot", "[live]") {
  auto facts = read_device_facts(triage::FsRoot("/"));
  auto snap = live_snapshot();
  CHECK(facts.hostname() == snap.system().hostname());
  CHECK(facts.kernel() == snap.system().kernel_release());
  CHECK(facts.arch() == snap.system().arch());
  CHECK(facts.os_id() == snap.system().os_id());
  CHECK(facts.machine_id() == snap.system().machine_id());
  auto fixture = read_device_facts(triage::FsRoot(testing::fixture_root("desktop")));
  CHECK(fixture.hostname() == "ws-acct-042");
  CHECK(fixture.os_pretty_name() == "Ubuntu 22.04.4 LTS");
  CHECK(fixture.os_version() == "22.04");
  CHECK(fixture.logged_in_user() == "alice");
}
