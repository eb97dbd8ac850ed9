#pragma once
// Framing of the local IPC socket between `get-help` and the daemon: each message is a
// 4-byte big-endian length followed by that many bytes of a JSON object. Small by design:
// anything over kMaxIpcFrameBytes is refused, since the peer may be any local user.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "shared/util/result.hpp"

namespace triage::agent::ipc {

inline constexpr std::size_t kMaxIpcFrameBytes = 16 * 1024;

/// Length prefix + compact JSON.
std::string encode_frame(const nlohmann::json& message);

/// Incremental decoder: feed bytes as they arrive, take complete messages out.
class FrameDecoder {
 public:
  void feed(std::string_view bytes) { buffer_.append(bytes); }
  /// The next complete message, nullopt when more bytes are needed, an error when the peer
  /// sent an oversized frame or something that is not a JSON object (close the connection).
  Result<std::optional<nlohmann::json>> next();
  /// Bytes held that do not form a complete frame yet.
  std::size_t buffered() const { return buffer_.size(); }

 private:
  std::string buffer_;
};

}  // namespace triage::agent::ipc
