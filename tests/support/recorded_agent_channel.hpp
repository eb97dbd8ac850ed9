#pragma once
// An AgentChannel for unit tests of what sends to agents (orders, catalog pushes, ticket
// enrichment): devices are online when the test says so, and every message and disconnect is
// recorded instead of reaching a socket. Header-only: the test executables that use it link the
// collector library.

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "collector/channel/agent_channel.hpp"

namespace triage::testing {

class RecordedAgentChannel final : public collector::AgentChannel {
 public:
  /// Takes the device as online (or offline) from now on.
  void set_online(const std::string& device_id, bool online = true) {
    std::lock_guard lock(mutex_);
    if (online) {
      online_.insert(device_id);
    } else {
      online_.erase(device_id);
    }
  }
  /// Sends to this online device are refused as by a full send queue (kDropped).
  void set_dropping(const std::string& device_id, bool dropping = true) {
    std::lock_guard lock(mutex_);
    if (dropping) {
      dropping_.insert(device_id);
    } else {
      dropping_.erase(device_id);
    }
  }
  /// The messages queued for the device so far, oldest first.
  std::vector<v1::CollectorMessage> sent_to(const std::string& device_id) const {
    std::lock_guard lock(mutex_);
    auto it = sent_.find(device_id);
    return it == sent_.end() ? std::vector<v1::CollectorMessage>{} : it->second;
  }
  /// Every disconnect asked for: device and close code.
  std::vector<std::pair<std::string, transport::CloseCode>> disconnects() const {
    std::lock_guard lock(mutex_);
    return disconnects_;
  }

  collector::Delivery send(const std::string& device_id,
                           const v1::CollectorMessage& message) override {
    std::lock_guard lock(mutex_);
    if (online_.count(device_id) == 0) return collector::Delivery::kOffline;
    if (dropping_.count(device_id) != 0) return collector::Delivery::kDropped;
    sent_[device_id].push_back(message);
    return collector::Delivery::kQueued;
  }
  std::size_t broadcast(const v1::CollectorMessage& message) override {
    std::lock_guard lock(mutex_);
    std::size_t queued = 0;
    for (const auto& device_id : online_) {
      if (dropping_.count(device_id) != 0) continue;
      sent_[device_id].push_back(message);
      ++queued;
    }
    return queued;
  }
  bool is_online(const std::string& device_id) const override {
    std::lock_guard lock(mutex_);
    return online_.count(device_id) != 0;
  }
  std::optional<collector::AgentLocation> locate(const std::string& device_id) const override {
    if (!is_online(device_id)) return std::nullopt;
    return collector::AgentLocation{"recorded", 1, "127.0.0.1:0", {}};
  }
  void disconnect(const std::string& device_id, transport::CloseCode code, std::string) override {
    std::lock_guard lock(mutex_);
    disconnects_.emplace_back(device_id, code);
    online_.erase(device_id);
  }

 private:
  mutable std::mutex mutex_;
  std::set<std::string> online_;
  std::set<std::string> dropping_;
  std::map<std::string, std::vector<v1::CollectorMessage>> sent_;
  std::vector<std::pair<std::string, transport::CloseCode>> disconnects_;
};

}  // namespace triage::testing
