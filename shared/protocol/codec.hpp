#pragma once
// Envelope encoding and bounded, strict decoding of frames from the network.

#include <cstddef>
#include <string>
#include <string_view>

#include "shared/util/result.hpp"
#include "triage/v1/envelope.pb.h"

namespace triage::protocol {

/// Largest frame either side accepts by default (configurable at the transport).
inline constexpr std::size_t kDefaultMaxFrameBytes = 4 * 1024 * 1024;

/// Serializes an envelope into a binary frame.
std::string encode(const google::protobuf::Message& message);

/// Parses an agent->collector frame. Rejects oversized or unparsable input. Unknown fields are
/// ignored, and a body this build does not know decodes as BODY_NOT_SET, which receivers
/// skip (forward compatibility).
Result<v1::AgentMessage> decode_agent_message(std::string_view frame,
                                              std::size_t max_bytes = kDefaultMaxFrameBytes);
/// The same, into `message` (e.g. one allocated on a protobuf Arena, for bulk decoding).
Result<void> decode_agent_message_into(std::string_view frame, std::size_t max_bytes,
                                       v1::AgentMessage& message);

/// Parses a collector->agent frame with the same rules.
Result<v1::CollectorMessage> decode_collector_message(
    std::string_view frame, std::size_t max_bytes = kDefaultMaxFrameBytes);

}  // namespace triage::protocol
