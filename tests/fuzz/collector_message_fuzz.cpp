// The agent's decoding of a frame from the collector (agent/service/agent_runtime.cpp,
// on_message), with the real size limit, and what it does with each body before trusting it:
// the signed catalog of a HelloAck or CatalogUpdate is verified, an order's id is read
// unverified (to address a refusal) and the order verified, all against a pinned key the
// input cannot sign for (orders signed by a key the fuzzer holds: order_payload_fuzz.cpp).

#include "agent/actions/order_verifier.hpp"
#include "shared/pki/keys.hpp"
#include "shared/protocol/codec.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using namespace triage;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static pki::PKeyPtr pinned = std::move(*pki::generate_ed25519_key());
  static const agent::ActionPolicy policy;
  static const agent::AcceptedCatalog catalog;
  auto message = protocol::decode_collector_message(
      std::string_view(reinterpret_cast<const char*>(data), size), protocol::kDefaultMaxFrameBytes);
  if (!message) return 0;
  switch (message->body_case()) {
    case v1::CollectorMessage::kHelloAck:
      if (message->hello_ack().has_action_catalog()) {
        (void)agent::verify_catalog(message->hello_ack().action_catalog(), pinned.get(), 0);
      }
      break;
    case v1::CollectorMessage::kCatalogUpdate:
      (void)agent::verify_catalog(message->catalog_update(), pinned.get(), 0);
      break;
    case v1::CollectorMessage::kOrder: {
      (void)agent::claimed_order_id(message->order());
      agent::OrderChecks checks;
      checks.pinned_key = pinned.get();
      checks.device_id = "dev-1";
      checks.now_unix_ms = 1'800'000'000'000;
      checks.catalog = &catalog;
      checks.policy = &policy;
      checks.platform = "linux";
      (void)agent::verify_order(message->order(), checks);
      (void)agent::signed_payload(message->order(), pinned.get());
      break;
    }
    default:
      break;
  }
  return 0;
}
