// Which report a scheduled snapshot becomes: the delta chain rules.

#include <catch2/catch.hpp>

#include "agent/service/report_planner.hpp"
#include "shared/protocol/delta.hpp"

using triage::agent::plan_report;
using triage::agent::spool::ChainState;
namespace v1 = triage::v1;

namespace {

v1::Snapshot machine(const std::string& hostname, std::uint64_t mem_used) {
  v1::Snapshot s;
  s.set_schema_version(1);
  s.mutable_system()->set_hostname(hostname);
  s.mutable_hardware()->mutable_memory()->set_available_bytes(mem_used);
  return s;
}

}  // namespace

TEST_CASE("without a chain the report is a full snapshot") {
  auto planned = plan_report(std::nullopt, machine("a", 1));
  REQUIRE(planned);
  CHECK(planned->message.has_snapshot());
  CHECK(planned->message.snapshot().snapshot().system().hostname() == "a");
  CHECK_FALSE(planned->chain_after);
}

TEST_CASE("with a chain, a change becomes a delta on the chain's last report") {
  ChainState chain{10, 12, machine("a", 1)};
  auto planned = plan_report(chain, machine("a", 2));
  REQUIRE(planned);
  REQUIRE(planned->message.has_delta());
  const auto& delta = planned->message.delta().delta();
  CHECK(delta.base_seq() == 12);
  REQUIRE(planned->chain_after);
  // The collector can rebuild the new state from the previous one.
  auto rebuilt = triage::protocol::apply_delta(chain.snapshot, delta);
  REQUIRE(rebuilt);
  CHECK(rebuilt->hardware().memory().available_bytes() == 2);
}

TEST_CASE("nothing changed, nothing sent") {
  ChainState chain{1, 1, machine("a", 1)};
  CHECK_FALSE(plan_report(chain, machine("a", 1)));
}
