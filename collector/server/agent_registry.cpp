#include "collector/server/agent_registry.hpp"

namespace triage::collector {

std::shared_ptr<transport::WebSocketConnection> AgentRegistry::attach(
    const std::string& device_id, std::uint64_t session_id,
    const std::shared_ptr<transport::WebSocketConnection>& connection) {
  std::lock_guard lock(mutex_);
  auto& entry = entries_[device_id];
  auto previous = entry.connection.lock();
  entry = Entry{session_id, connection};
  return previous;
}

void AgentRegistry::detach(const std::string& device_id, std::uint64_t session_id) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(device_id);
  if (it != entries_.end() && it->second.session_id == session_id) entries_.erase(it);
}

bool AgentRegistry::is_online(const std::string& device_id) const {
  std::lock_guard lock(mutex_);
  return entries_.count(device_id) != 0;
}

std::shared_ptr<transport::WebSocketConnection> AgentRegistry::connection(
    const std::string& device_id) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(device_id);
  return it == entries_.end() ? nullptr : it->second.connection.lock();
}

std::size_t AgentRegistry::online_count() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

std::vector<std::string> AgentRegistry::online_devices() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  out.reserve(entries_.size());
  for (const auto& [id, entry] : entries_) out.push_back(id);
  return out;
}

std::shared_ptr<void> AgentRegistry::track(const std::string& device_id, Closer close) {
  std::uint64_t id = 0;
  {
    std::lock_guard lock(mutex_);
    id = next_tracking_id_++;
    tracked_[device_id].emplace(id, std::move(close));
  }
  return std::shared_ptr<void>(nullptr, [this, device_id, id](void*) {
    std::lock_guard lock(mutex_);
    auto it = tracked_.find(device_id);
    if (it == tracked_.end()) return;
    it->second.erase(id);
    if (it->second.empty()) tracked_.erase(it);
  });
}

std::size_t AgentRegistry::tracked_count(const std::string& device_id) const {
  std::lock_guard lock(mutex_);
  auto it = tracked_.find(device_id);
  return it == tracked_.end() ? 0 : it->second.size();
}

void AgentRegistry::disconnect(const std::string& device_id, transport::CloseCode code,
                               std::string reason) {
  std::vector<Closer> closers;
  std::shared_ptr<transport::WebSocketConnection> online;
  {
    std::lock_guard lock(mutex_);
    if (auto it = tracked_.find(device_id); it != tracked_.end()) {
      for (const auto& [id, close] : it->second) closers.push_back(close);
    }
    if (auto it = entries_.find(device_id); it != entries_.end()) {
      online = it->second.connection.lock();
    }
  }
  // Outside the lock: a closer may end a socket whose handle comes back here.
  if (online) online->close(code, reason);
  for (const auto& close : closers) close(code, reason);
}

}  // namespace triage::collector
