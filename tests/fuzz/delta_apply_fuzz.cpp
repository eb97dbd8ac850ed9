// apply_delta on a hostile base and a hostile delta, as the collector's ingest applies them
// (collector/ingest/state_materializer.cpp): both arrive as agent frames that passed the wire
// budget and the strict decode. Input: a 4-byte big-endian length and the frame holding the
// base snapshot, then the frame holding the delta. When the delta applies, the base and the
// result are diffed and that diff applied too (the agent's side of the same code).

#include <optional>

#include "shared/protocol/codec.hpp"
#include "shared/protocol/delta.hpp"
#include "shared/protocol/wire_budget.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using namespace triage;

namespace {

std::optional<v1::AgentMessage> decode(std::string_view frame) {
  auto budget = protocol::measure_agent_message(frame);
  if (!budget || !budget->over_limit.empty()) return std::nullopt;
  auto message = protocol::decode_agent_message(frame);
  if (!message) return std::nullopt;
  return std::move(*message);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::FuzzInput in(data, size);
  auto base = decode(in.piece());
  auto delta = decode(in.rest());
  if (!base || !delta || !base->has_snapshot() || !delta->has_delta()) return 0;
  v1::Snapshot state = base->snapshot().snapshot();
  if (!protocol::apply_delta_in_place(state, delta->delta().delta())) return 0;
  // Duplicate keys in a hostile base can make this refuse; only a crash is a finding here.
  (void)protocol::apply_delta(base->snapshot().snapshot(),
                              protocol::diff_snapshots(base->snapshot().snapshot(), state));
  return 0;
}
