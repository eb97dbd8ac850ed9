#pragma once
// Counts what an agent frame would allocate before it is parsed: one pass over its tags, no
// message built. A frame over the limits of message_limits.hpp is refused unparsed.

#include <cstdint>
#include <string>
#include <string_view>

#include "shared/util/result.hpp"

namespace triage::protocol {

/// What the walk over an AgentMessage frame found.
struct WireBudget {
  /// Elements of repeated fields and unknown fields, all fields together.
  std::uint64_t elements = 0;
  /// The envelope's `seq` and the field number of its body (0 when none), readable even when
  /// the frame is over a limit, so that the refusal can name the report.
  std::uint64_t seq = 0;
  int body_field = 0;
  /// Empty when within the limits; otherwise why not ("software.packages holds more than
  /// 100000 elements ...").
  std::string over_limit;
};

/// Walks an AgentMessage frame. Fails only when the bytes are not protobuf at all (or nest
/// deeper than the decoder allows); a frame over a limit succeeds with `over_limit` set.
Result<WireBudget> measure_agent_message(std::string_view frame);

}  // namespace triage::protocol
