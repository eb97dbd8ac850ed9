#pragma once
// How much one agent message may hold once parsed, and how long a list in a device's state may
// grow. A frame's bytes are bounded by the transport; these bound what those bytes expand to
// (two million empty list entries fit in 4 MiB and take hundreds of MiB once parsed). The
// numbers sit far above any real machine's and are documented in docs/protocol.md.

#include <cstddef>
#include <cstdint>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

namespace triage::protocol {

/// Elements of all repeated fields (and fields the schema does not know) in one message.
inline constexpr std::uint64_t kMaxMessageElements = 200'000;

/// What one element costs once parsed, about (a small message or string and its pointer),
/// for memory budgets counted in bytes.
inline constexpr std::size_t kParsedBytesPerElement = 96;

/// Elements of one repeated field not listed in message_limits.cpp, summed over one message.
inline constexpr std::uint32_t kDefaultFieldElements = 20'000;

/// The most elements `field` (a repeated field) may hold, summed over one message; the same
/// number bounds that list in a device's state.
std::uint32_t element_limit(const google::protobuf::FieldDescriptor* field);

/// Elements of repeated fields and unknown fields in a parsed message, all levels; stops
/// counting soon after `stop_after` (a device's state holds at most kMaxMessageElements).
std::uint64_t count_elements(const google::protobuf::Message& message,
                             std::uint64_t stop_after = kMaxMessageElements);

}  // namespace triage::protocol
