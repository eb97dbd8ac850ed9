#include "shared/protocol/codec.hpp"

#include <google/protobuf/io/coded_stream.h>

namespace triage::protocol {
namespace {

// Nesting limit far below protobuf's default (100): our messages are shallow, and a hostile
// frame must not be able to make the parser recurse deeply.
constexpr int kMaxRecursion = 32;

Result<void> decode_into(std::string_view frame, std::size_t max_bytes, const char* what,
                         google::protobuf::Message& message) {
  if (frame.size() > max_bytes) {
    return fail(std::string(what) + " of " + std::to_string(frame.size()) +
                " bytes exceeds the limit of " + std::to_string(max_bytes));
  }
  google::protobuf::io::CodedInputStream input(reinterpret_cast<const uint8_t*>(frame.data()),
                                               static_cast<int>(frame.size()));
  input.SetRecursionLimit(kMaxRecursion);
  if (!message.ParseFromCodedStream(&input) || !input.ConsumedEntireMessage()) {
    return fail(std::string(what) + " is not a valid protobuf envelope");
  }
  return {};
}

template <class Message>
Result<Message> decode(std::string_view frame, std::size_t max_bytes, const char* what) {
  Message message;
  if (auto r = decode_into(frame, max_bytes, what, message); !r) return tl::unexpected(r.error());
  return message;
}

}  // namespace

std::string encode(const google::protobuf::Message& message) { return message.SerializeAsString(); }

Result<v1::AgentMessage> decode_agent_message(std::string_view frame, std::size_t max_bytes) {
  return decode<v1::AgentMessage>(frame, max_bytes, "agent message");
}

Result<void> decode_agent_message_into(std::string_view frame, std::size_t max_bytes,
                                       v1::AgentMessage& message) {
  return decode_into(frame, max_bytes, "agent message", message);
}

Result<v1::CollectorMessage> decode_collector_message(std::string_view frame,
                                                      std::size_t max_bytes) {
  return decode<v1::CollectorMessage>(frame, max_bytes, "collector message");
}

}  // namespace triage::protocol
