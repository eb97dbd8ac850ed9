// The offline spool: sequence allocation, acknowledgement, the delta chain, eviction rules,
// and what survives reopening the file.

#include <catch2/catch.hpp>

#include "agent/spool/spool.hpp"
#include "tests/support/temp_dir.hpp"

using triage::agent::spool::ReportKind;
using triage::agent::spool::Spool;
using triage::agent::spool::SpoolLimits;
namespace v1 = triage::v1;

namespace {

v1::Snapshot snapshot_of(const std::string& hostname, std::size_t padding = 0) {
  v1::Snapshot s;
  s.mutable_system()->set_hostname(hostname);
  s.mutable_system()->set_kernel_version(std::string(padding, 'k'));
  return s;
}

v1::AgentMessage snapshot_message(const v1::Snapshot& s) {
  v1::AgentMessage m;
  *m.mutable_snapshot()->mutable_snapshot() = s;
  return m;
}

v1::AgentMessage delta_message(std::uint64_t base_seq, std::size_t padding = 0) {
  v1::AgentMessage m;
  m.mutable_delta()->mutable_delta()->set_base_seq(base_seq);
  m.mutable_delta()->mutable_delta()->add_changes()->set_value(std::string(padding, 'p'));
  return m;
}

v1::AgentMessage help_message(const std::string& request_id, std::size_t padding = 0) {
  v1::AgentMessage m;
  m.mutable_help_request()->set_request_id(request_id);
  m.mutable_help_request()->set_text(std::string(padding + 1, 'h'));
  return m;
}

std::vector<std::uint64_t> pending_seqs(Spool& spool) {
  std::vector<std::uint64_t> out;
  auto pending = spool.pending_after(0, 1000, 1 << 30).value();
  for (const auto& r : pending) out.push_back(r.seq);
  return out;
}

}  // namespace

TEST_CASE("reports get increasing seqs, stored encoded with their seq, until acknowledged") {
  triage::testing::TempDir dir;
  auto spool = Spool::open(dir.path() / "spool.db").value();
  auto first = snapshot_message(snapshot_of("a"));
  CHECK(spool->append(first).value() == 1);
  CHECK(first.seq() == 1);
  auto help = help_message("req-00000001");
  CHECK(spool->append(help).value() == 2);
  auto pending = spool->pending_after(0, 10, 1 << 20).value();
  REQUIRE(pending.size() == 2);
  v1::AgentMessage decoded;
  REQUIRE(decoded.ParseFromString(pending[1].frame));
  CHECK(decoded.seq() == 2);
  CHECK(decoded.help_request().request_id() == "req-00000001");
  CHECK(pending[1].kind == ReportKind::kHelpRequest);

  auto acked = spool->acknowledge(2, false, "T-42").value();
  REQUIRE(acked);
  CHECK(acked->request_id == "req-00000001");
  CHECK_FALSE(spool->acknowledge(2, false, "").value());  // already gone
  auto status = spool->help_status("req-00000001").value();
  REQUIRE(status);
  CHECK(status->state == "delivered");
  CHECK(status->ticket_id == "T-42");
  CHECK(pending_seqs(*spool) == std::vector<std::uint64_t>{1});
}

TEST_CASE("the same help request is spooled once") {
  triage::testing::TempDir dir;
  auto spool = Spool::open(dir.path() / "spool.db").value();
  auto a = help_message("same-request-id");
  auto b = help_message("same-request-id");
  CHECK(spool->append(a).value() == 1);
  CHECK(spool->append(b).value() == 1);
  CHECK(spool->stats().value().depth == 1);
}

TEST_CASE("seq counter, pending reports and the chain survive reopening") {
  triage::testing::TempDir dir;
  {
    auto spool = Spool::open(dir.path() / "spool.db").value();
    auto s = snapshot_message(snapshot_of("a"));
    spool->append(s).value();
    auto d = delta_message(1);
    auto after = snapshot_of("b");
    REQUIRE(spool->append(d, &after).value() == 2);
  }
  auto spool = Spool::open(dir.path() / "spool.db").value();
  CHECK(spool->stats().value().next_seq == 3);
  CHECK(pending_seqs(*spool) == std::vector<std::uint64_t>{1, 2});
  auto chain = spool->chain().value();
  REQUIRE(chain);
  CHECK(chain->start_seq == 1);
  CHECK(chain->last_seq == 2);
  CHECK(chain->snapshot.system().hostname() == "b");
}

TEST_CASE("a delta must extend the current chain") {
  triage::testing::TempDir dir;
  auto spool = Spool::open(dir.path() / "spool.db").value();
  auto after = snapshot_of("b");
  auto orphan = delta_message(0);
  CHECK_FALSE(spool->append(orphan, &after));  // no chain yet
  auto s = snapshot_message(snapshot_of("a"));
  spool->append(s).value();
  auto wrong = delta_message(7);
  auto r = spool->append(wrong, &after);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == triage::ErrorCode::kConflict);
  CHECK(spool->stats().value().next_seq == 2);  // nothing allocated
}

TEST_CASE("never a seq at or below what the collector committed") {
  triage::testing::TempDir dir;
  auto spool = Spool::open(dir.path() / "spool.db").value();
  REQUIRE(spool->ensure_next_seq_above(41));
  auto s = snapshot_message(snapshot_of("a"));
  CHECK(spool->append(s).value() == 42);
  REQUIRE(spool->ensure_next_seq_above(5));  // lower: no effect
  auto h = help_message("abcdefgh");
  CHECK(spool->append(h).value() == 43);
}

TEST_CASE("over the cap, the oldest deltas go first and the chain is marked broken") {
  triage::testing::TempDir dir;
  auto spool = Spool::open(dir.path() / "spool.db", SpoolLimits{10'000}).value();
  auto s = snapshot_message(snapshot_of("a", 1000));
  spool->append(s).value();  // 1
  auto h = help_message("help-0001", 2000);
  spool->append(h).value();  // 2
  std::uint64_t base = 1;
  for (int i = 0; i < 4; ++i) {
    auto d = delta_message(base, 1500);
    auto after = snapshot_of("b" + std::to_string(i));
    base = spool->append(d, &after).value();  // 3..6
  }
  // 1000 + 2000 + 4 * 1500 ≈ 9,100 bytes plus framing: at the cap. One more delta evicts.
  auto d = delta_message(base, 1500);
  auto after = snapshot_of("c");
  auto seq = spool->append(d, &after).value();
  auto pending = pending_seqs(*spool);
  CHECK(std::find(pending.begin(), pending.end(), 3) == pending.end());  // oldest delta gone
  CHECK(std::find(pending.begin(), pending.end(), 1) != pending.end());  // snapshot kept
  CHECK(std::find(pending.begin(), pending.end(), 2) != pending.end());  // help kept
  CHECK(std::find(pending.begin(), pending.end(), seq) != pending.end());
  auto stats = spool->stats().value();
  CHECK(stats.evicted_total >= 1);
  CHECK(stats.bytes <= 10'000);
  // The collector could not follow the deltas after the evicted one: a full snapshot is next.
  CHECK_FALSE(spool->chain().value());
}

TEST_CASE("help requests and order results are never evicted, even over the cap") {
  triage::testing::TempDir dir;
  auto spool = Spool::open(dir.path() / "spool.db", SpoolLimits{4'000}).value();
  auto s = snapshot_message(snapshot_of("a", 1500));
  spool->append(s).value();  // 1
  for (int i = 0; i < 5; ++i) {
    auto h = help_message("help-000" + std::to_string(i), 1500);
    spool->append(h).value();  // 2..6
  }
  v1::AgentMessage result;
  result.mutable_order_result()->set_order_id("order-1");
  spool->append(result).value();  // 7
  auto pending = pending_seqs(*spool);
  CHECK(pending == std::vector<std::uint64_t>{2, 3, 4, 5, 6, 7});  // only the snapshot went
  CHECK(spool->stats().value().evicted_total == 1);
  CHECK(spool->stats().value().bytes > 4'000);
}

TEST_CASE("evicting reports of an older chain keeps the current one") {
  triage::testing::TempDir dir;
  auto spool = Spool::open(dir.path() / "spool.db", SpoolLimits{6'000}).value();
  auto s1 = snapshot_message(snapshot_of("a", 100));
  spool->append(s1).value();  // 1
  auto after = snapshot_of("b");
  auto d1 = delta_message(1, 2500);
  spool->append(d1, &after).value();  // 2
  auto s2 = snapshot_message(snapshot_of("c", 2500));
  spool->append(s2).value();  // 3: a new chain
  auto d2 = delta_message(3, 2000);
  auto after2 = snapshot_of("d");
  spool->append(d2, &after2).value();  // 4: over the cap, delta 2 (old chain) goes
  auto pending = pending_seqs(*spool);
  CHECK(pending == std::vector<std::uint64_t>{1, 3, 4});
  auto chain = spool->chain().value();
  REQUIRE(chain);
  CHECK(chain->start_seq == 3);
  CHECK(chain->last_seq == 4);
}

TEST_CASE("pending reports come in seq order, bounded by count and bytes") {
  triage::testing::TempDir dir;
  auto spool = Spool::open(dir.path() / "spool.db").value();
  for (int i = 0; i < 10; ++i) {
    auto h = help_message("request-" + std::to_string(i) + "xxxx", 1000);
    spool->append(h).value();
  }
  CHECK(spool->pending_after(0, 3, 1 << 20).value().size() == 3);
  CHECK(spool->pending_after(0, 100, 2500).value().size() == 3);  // stops once over 2500
  auto after5 = spool->pending_after(5, 100, 1 << 20).value();
  REQUIRE(after5.size() == 5);
  CHECK(after5.front().seq == 6);
  CHECK(spool->pending_after(0, 100, 1).value().size() == 1);  // at least one
}

TEST_CASE("a rejected help request is dropped and remembered as rejected") {
  triage::testing::TempDir dir;
  auto spool = Spool::open(dir.path() / "spool.db").value();
  auto h = help_message("rejected-one");
  spool->append(h).value();
  REQUIRE(spool->acknowledge(1, true, "").value());
  CHECK(spool->stats().value().depth == 0);
  CHECK(spool->help_status("rejected-one").value()->state == "rejected");
}
