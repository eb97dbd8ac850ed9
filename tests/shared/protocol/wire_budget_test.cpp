// What an agent frame would cost once parsed, counted on the wire: frames whose bytes are
// within the transport's limit but expand to millions of elements are refused unparsed.

#include <catch2/catch.hpp>

#include "shared/protocol/codec.hpp"
#include "shared/protocol/message_limits.hpp"
#include "shared/protocol/wire_budget.hpp"

using namespace triage;
using namespace triage::protocol;

namespace {

std::string varint(std::uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
  return out;
}

/// A length-delimited field: tag, length, bytes.
std::string field(int number, const std::string& bytes) {
  return varint(static_cast<std::uint64_t>(number) << 3 | 2) + varint(bytes.size()) + bytes;
}

/// An AgentMessage{seq, snapshot{snapshot{software{packages × n, empty}}}}, built as bytes
/// (building the message itself would cost the test what it costs the collector).
std::string empty_packages_frame(std::uint64_t seq, std::size_t n) {
  std::string packages;
  packages.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) packages += std::string("\x0a\x00", 2);
  const std::string snapshot = field(v1::Snapshot::kSoftwareFieldNumber, packages);
  const std::string report = field(v1::SnapshotReport::kSnapshotFieldNumber, snapshot);
  return varint(1 << 3) + varint(seq) + field(v1::AgentMessage::kSnapshotFieldNumber, report);
}

}  // namespace

TEST_CASE("a snapshot of two million empty packages is refused before it is parsed",
          "[wire_budget]") {
  auto frame = empty_packages_frame(7, 2'000'000);
  REQUIRE(frame.size() <= kDefaultMaxFrameBytes);  // the transport lets it through
  auto budget = measure_agent_message(frame);
  REQUIRE(budget);
  CHECK_THAT(budget->over_limit, Catch::Contains("SoftwareInfo.packages") &&
                                     Catch::Contains("20000") &&
                                     Catch::Contains("limit per message"));
  CHECK(budget->seq == 7);
  CHECK(budget->body_field == v1::AgentMessage::kSnapshotFieldNumber);
}

TEST_CASE("a report within the limits is measured, not refused", "[wire_budget]") {
  v1::AgentMessage message;
  message.set_seq(3);
  auto* software = message.mutable_snapshot()->mutable_snapshot()->mutable_software();
  for (int i = 0; i < 1000; ++i) software->add_packages()->set_name("p" + std::to_string(i));
  software->add_top_processes()->set_pid(1);
  auto frame = encode(message);
  auto budget = measure_agent_message(frame);
  REQUIRE(budget);
  CHECK(budget->over_limit.empty());
  CHECK(budget->elements == 1001);
  CHECK(budget->seq == 3);
  // The frame at the package limit passes too.
  auto at_limit = measure_agent_message(empty_packages_frame(1, 20'000));
  REQUIRE(at_limit);
  CHECK(at_limit->over_limit.empty());
}

TEST_CASE("a delta over the change limit is refused on the wire", "[wire_budget]") {
  v1::AgentMessage message;
  message.set_seq(9);
  auto* delta = message.mutable_delta()->mutable_delta();
  for (int i = 0; i < 10'001; ++i) delta->add_changes()->set_kind(v1::Change::CHANGED);
  auto budget = measure_agent_message(encode(message));
  REQUIRE(budget);
  CHECK_THAT(budget->over_limit, Catch::Contains("Delta.changes holds more than 10000"));
  CHECK(budget->body_field == v1::AgentMessage::kDeltaFieldNumber);
}

TEST_CASE("unknown fields, groups and packed numbers count as elements", "[wire_budget]") {
  SECTION("unknown varint fields") {
    std::string frame = varint(1 << 3) + varint(5);
    for (std::uint64_t i = 0; i <= kMaxMessageElements; ++i) frame += varint(99 << 3) + varint(1);
    auto budget = measure_agent_message(frame);
    REQUIRE(budget);
    CHECK_THAT(budget->over_limit, Catch::Contains("list elements"));
  }
  SECTION("fields inside an unknown group") {
    std::string inner;
    for (std::uint64_t i = 0; i <= kMaxMessageElements; ++i) inner += varint(5 << 3) + varint(0);
    std::string frame = varint(98 << 3 | 3) + inner + varint(98 << 3 | 4);
    auto budget = measure_agent_message(frame);
    REQUIRE(budget);
    CHECK_THAT(budget->over_limit, Catch::Contains("list elements"));
  }
  SECTION("a packed list of field numbers") {
    std::string numbers(40'000, '\x05');
    std::string change = field(v1::Change::kFieldNumbersFieldNumber, numbers);
    std::string delta = field(v1::Delta::kChangesFieldNumber, change);
    std::string frame = field(v1::AgentMessage::kDeltaFieldNumber,
                              field(v1::DeltaReport::kDeltaFieldNumber, delta));
    auto budget = measure_agent_message(frame);
    REQUIRE(budget);
    CHECK_THAT(budget->over_limit, Catch::Contains("Change.field_numbers"));
  }
}

TEST_CASE("bytes that are not protobuf fail the measure as they fail the decoder",
          "[wire_budget]") {
  CHECK_FALSE(measure_agent_message(std::string("\xff\xff\xff\xff\xff\xff\xff\xff\x01", 9)));
  // Truncated inside a submessage.
  auto frame = empty_packages_frame(1, 10);
  CHECK_FALSE(measure_agent_message(frame.substr(0, frame.size() - 3)));
  // Nested deeper than the decoder allows.
  std::string nested;
  for (int i = 0; i < 40; ++i) nested = varint(98 << 3 | 3) + nested + varint(98 << 3 | 4);
  CHECK_FALSE(measure_agent_message(nested));
  CHECK_FALSE(decode_agent_message(nested));
}
