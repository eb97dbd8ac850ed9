#include "agent/ipc/ipc_frame.hpp"

namespace triage::agent::ipc {

std::string encode_frame(const nlohmann::json& message) {
  // Invalid UTF-8 is replaced rather than thrown on: the text came from a person.
  std::string body = message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  const auto n = static_cast<std::uint32_t>(body.size());
  std::string frame;
  frame.reserve(4 + body.size());
  frame.push_back(static_cast<char>((n >> 24) & 0xff));
  frame.push_back(static_cast<char>((n >> 16) & 0xff));
  frame.push_back(static_cast<char>((n >> 8) & 0xff));
  frame.push_back(static_cast<char>(n & 0xff));
  frame += body;
  return frame;
}

Result<std::optional<nlohmann::json>> FrameDecoder::next() {
  if (buffer_.size() < 4) return std::optional<nlohmann::json>{};
  const auto* p = reinterpret_cast<const unsigned char*>(buffer_.data());
  const std::size_t n = (std::size_t{p[0]} << 24) | (std::size_t{p[1]} << 16) |
                        (std::size_t{p[2]} << 8) | std::size_t{p[3]};
  if (n > kMaxIpcFrameBytes) {
    return fail(ErrorCode::kInvalid, "IPC message of " + std::to_string(n) +
                                         " bytes exceeds the limit of " +
                                         std::to_string(kMaxIpcFrameBytes));
  }
  if (buffer_.size() < 4 + n) return std::optional<nlohmann::json>{};
  auto message = nlohmann::json::parse(buffer_.begin() + 4,
                                       buffer_.begin() + 4 + static_cast<long>(n), nullptr, false);
  buffer_.erase(0, 4 + n);
  if (message.is_discarded() || !message.is_object()) {
    return fail(ErrorCode::kInvalid, "IPC message is not a JSON object");
  }
  return std::optional<nlohmann::json>(std::move(message));
}

}  // namespace triage::agent::ipc
