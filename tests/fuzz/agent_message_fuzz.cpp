// The collector's decoding of a frame an agent sent (collector/server/agent_session.cpp,
// on_message): the wire budget walk over the unparsed frame, then the strict decode, with the
// real limits; then what the session reads of a decoded message (version negotiation, element
// count, describe_path of a delta's changes).

#include "shared/protocol/codec.hpp"
#include "shared/protocol/delta.hpp"
#include "shared/protocol/message_limits.hpp"
#include "shared/protocol/version.hpp"
#include "shared/protocol/wire_budget.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using namespace triage;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view frame(reinterpret_cast<const char*>(data), size);
  auto budget = protocol::measure_agent_message(frame);
  if (!budget || !budget->over_limit.empty()) return 0;
  auto message = protocol::decode_agent_message(frame, protocol::kDefaultMaxFrameBytes);
  if (!message) return 0;
  (void)protocol::count_elements(*message);
  if (message->has_hello()) {
    (void)protocol::negotiate_version(message->hello().protocol_min(),
                                      message->hello().protocol_max());
  }
  if (message->has_delta()) {
    for (const auto& change : message->delta().delta().changes()) {
      (void)protocol::describe_path(change);
    }
    (void)protocol::delta_is_empty(message->delta().delta());
  }
  return 0;
}
