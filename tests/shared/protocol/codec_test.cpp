#include <catch2/catch.hpp>

#include "shared/protocol/codec.hpp"

using namespace triage;

TEST_CASE("agent envelopes survive a round trip") {
  v1::AgentMessage in;
  in.set_seq(42);
  auto* hello = in.mutable_hello();
  hello->set_protocol_min(1);
  hello->set_protocol_max(1);
  hello->set_agent_version("0.1.0");
  hello->mutable_facts()->set_hostname("pc-042");
  auto out = protocol::decode_agent_message(protocol::encode(in));
  REQUIRE(out);
  CHECK(out->seq() == 42);
  CHECK(out->hello().facts().hostname() == "pc-042");
}

TEST_CASE("collector envelopes survive a round trip, orders included") {
  v1::CollectorMessage in;
  in.mutable_order()->set_payload(std::string("\x00\x01payload", 9));
  in.mutable_order()->set_signature(std::string(64, 's'));
  auto out = protocol::decode_collector_message(protocol::encode(in));
  REQUIRE(out);
  CHECK(out->order().payload() == in.order().payload());
}

TEST_CASE("oversized frames are rejected before parsing") {
  v1::AgentMessage big;
  big.mutable_help_request()->set_text(std::string(2000, 'x'));
  auto frame = protocol::encode(big);
  auto r = protocol::decode_agent_message(frame, 1000);
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message, Catch::Contains("exceeds the limit"));
}

TEST_CASE("garbage and truncated frames are errors, not crashes") {
  auto frame = GENERATE(std::string("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 10),
                        std::string("\x62\x05\x0a", 3), std::string("\x0a\xff\x01", 3));
  CHECK_FALSE(protocol::decode_agent_message(frame));
}

TEST_CASE("deeply nested unknown groups are refused, not recursed into") {
  // Field 99, wire type 3 (start group), 100,000 levels deep: a stack-exhaustion attempt.
  std::string frame;
  for (int i = 0; i < 100'000; ++i) frame += std::string("\x9b\x06", 2);
  auto r = triage::protocol::decode_agent_message(frame);
  CHECK_FALSE(r);
}

TEST_CASE("unknown fields and unknown bodies from newer peers are tolerated") {
  // Field 99 (unknown) with a varint, then a heartbeat body.
  v1::AgentMessage heartbeat;
  heartbeat.mutable_heartbeat()->set_spool_depth(3);
  std::string frame = std::string("\x98\x06\x01", 3) + protocol::encode(heartbeat);
  auto out = protocol::decode_agent_message(frame);
  REQUIRE(out);
  CHECK(out->heartbeat().spool_depth() == 3);
  // A body field number this build does not know (field 90, empty message).
  auto unknown = protocol::decode_agent_message(std::string("\xd2\x05\x00", 3));
  REQUIRE(unknown);
  CHECK(unknown->body_case() == v1::AgentMessage::BODY_NOT_SET);
}
