#pragma once
// A device's socket for unit tests of the agent channel: keeps what is sent to it and how it
// was closed. Header-only. Other threads may send and close while the test reads sent() and
// close_code(); the public fields are for single-threaded tests.

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "shared/transport/websocket_handler.hpp"

namespace triage::testing {

struct FakeWebSocketConnection : transport::WebSocketConnection {
  explicit FakeWebSocketConnection(std::string remote = "10.0.0.5:40000") {
    identity.remote_address = std::move(remote);
  }
  std::vector<std::string> frames;
  bool open = true;
  bool accepts = true;  ///< false: its send queue is full
  std::optional<transport::CloseCode> closed_with;
  transport::PeerIdentity identity;

  bool send(std::string frame) override {
    std::lock_guard lock(mutex);
    if (!open || !accepts) return false;
    frames.push_back(std::move(frame));
    return true;
  }
  void close(transport::CloseCode code, std::string) override {
    std::lock_guard lock(mutex);
    open = false;
    closed_with = code;
  }
  const transport::PeerIdentity& peer() const override { return identity; }
  void pause_reading() override {}
  void resume_reading() override {}
  void pause_reading_for(std::chrono::milliseconds) override {}

  /// The frames sent so far (any thread).
  std::vector<std::string> sent() const {
    std::lock_guard lock(mutex);
    return frames;
  }
  /// How it was closed, if it was (any thread).
  std::optional<transport::CloseCode> close_code() const {
    std::lock_guard lock(mutex);
    return closed_with;
  }

  mutable std::mutex mutex;
};

}  // namespace triage::testing
