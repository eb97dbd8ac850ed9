// The whole Windows catalog against each recorded machine, as the agent runs it: every source
// reports (or says why it cannot), the snapshot carries the facts a technician relies on, and
// the plain-text summary puts the machine's problems under "Needs attention".
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <catch2/catch.hpp>
#include <sstream>

#include "agent/collectors/summary.hpp"
#include "tests/agent/collectors/windows_sources/recorded_machine_support.hpp"

using namespace triage::agent;
namespace v1 = triage::v1;
namespace pb = google::protobuf;

namespace {

/// Set scalar values in `m` and below (each element of a repeated scalar counts once).
std::size_t count_facts(const pb::Message& m) {
  const auto* reflection = m.GetReflection();
  std::vector<const pb::FieldDescriptor*> fields;
  reflection->ListFields(m, &fields);
  std::size_t n = 0;
  for (const auto* f : fields) {
    if (f->name() == "collectors") continue;
    if (f->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) {
      n += f->is_repeated() ? static_cast<std::size_t>(reflection->FieldSize(m, f)) : 1;
    } else if (f->is_repeated()) {
      for (int i = 0; i < reflection->FieldSize(m, f); ++i)
        n += count_facts(reflection->GetRepeatedMessage(m, f, i));
    } else {
      n += count_facts(reflection->GetMessage(m, f));
    }
  }
  return n;
}

void check_every_source_reported(const v1::Snapshot& snap) {
  REQUIRE(snap.collectors_size() == static_cast<int>(windows_collector_catalog().size()));
  for (const auto& c : snap.collectors()) {
    INFO(c.name() << ": " << v1::CollectorStatus::Outcome_Name(c.outcome()) << " " << c.message());
    CHECK((c.outcome() == v1::CollectorStatus::OK ||
           c.outcome() == v1::CollectorStatus::UNAVAILABLE));
  }
}

std::string summary_of(const v1::Snapshot& snap) {
  std::ostringstream out;
  render_summary(snap, out);
  return out.str();
}

}  // namespace

TEST_CASE("recorded machines: every source at once on the Windows 11 laptop",
          "[windows][recorded][win11-laptop]") {
  auto snap = testing::recorded_snapshot("win11-laptop");
  check_every_source_reported(snap);
  // The helpdesk's first questions, answered from one snapshot.
  CHECK(snap.system().os_pretty_name() == "Windows 11 Pro 23H2");
  CHECK(snap.system().windows().join_state() == v1::WindowsSystem::ENTRA);
  CHECK(snap.system().pending_reboot().required());
  CHECK(snap.hardware().dmi().product_serial() == "PF3XK9ZT");
  CHECK(snap.hardware().memory_modules_size() == 2);
  CHECK(snap.software().packages_size() >= 20);
  CHECK(snap.network().interfaces_size() >= 3);
  CHECK(snap.security().antivirus().product() == "Microsoft Defender Antivirus");
  auto summary = summary_of(snap);
  INFO(summary);
  CHECK_THAT(summary, Catch::Contains("reboot pending"));
  CHECK_THAT(summary, Catch::Contains("battery BAT0 worn (54% of design)"));
  CHECK_THAT(summary, Catch::Contains("no update installed for 41 days"));
  CHECK_THAT(summary, Catch::Contains("antivirus signatures 5 days old"));
  CHECK_THAT(summary, Catch::Contains("Professional build 22631.4532, workstation"));
  CHECK_THAT(summary, Catch::Contains("Entra ID"));
}

TEST_CASE("recorded machines: every source at once on the Windows Server 2022",
          "[windows][recorded][server2022]") {
  auto snap = testing::recorded_snapshot("server2022");
  check_every_source_reported(snap);
  CHECK(snap.system().windows().join_state() == v1::WindowsSystem::DOMAIN);
  CHECK_FALSE(snap.system().pending_reboot().required());
  CHECK(snap.hardware().memory_modules_size() == 8);
  CHECK(snap.software().services().stopped_auto_start() == 1);
  CHECK(snap.health().bugchecks_size() >= 1);
  auto summary = summary_of(snap);
  INFO(summary);
  CHECK_THAT(summary, Catch::Contains("1 automatic service(s) not running"));
  CHECK_THAT(summary, Catch::Contains("filesystem D:\\ 97% full"));
  CHECK_THAT(summary, Catch::Contains("stop error(s) (blue screen) recorded, the last 0x0000009f"));
  CHECK_THAT(summary, Catch::Contains("BitLocker off on the system volume C:"));
  CHECK_THAT(summary, Catch::Contains("stuck print job(s)"));
  CHECK_THAT(summary, Catch::Contains("Spooler (Print Spooler), exit code 1067"));
  // Services that never started since boot did not fail.
  CHECK_THAT(summary, !Catch::Contains("exit code 1077"));
  CHECK_THAT(summary, Catch::Contains("active (Windows Defender Firewall)"));
}

TEST_CASE("recorded machines: how many facts each reports", "[windows][recorded][facts]") {
  // A floor, not an exact count: a source that silently stops reporting fails it. The counts
  // (run with -s) are the figures of docs/agent-diagnostics.md.
  for (const std::string machine : {"win11-laptop", "server2022"}) {
    auto snap = testing::recorded_snapshot(machine);
    std::size_t total = count_facts(snap);
    WARN(machine << ": " << total << " facts; system " << count_facts(snap.system())
                 << ", hardware " << count_facts(snap.hardware()) << ", software "
                 << count_facts(snap.software()) << ", network " << count_facts(snap.network())
                 << ", health " << count_facts(snap.health()) << ", security "
                 << count_facts(snap.security()));
    CHECK(total >= 1000);
    CHECK(count_facts(snap.security()) >= 10);
    CHECK(count_facts(snap.health()) >= 20);
  }
}
