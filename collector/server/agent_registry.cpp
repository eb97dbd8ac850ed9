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

void AgentRegistry::disconnect(const std::string& device_id, transport::CloseCode code,
                               std::string reason) {
  if (auto c = connection(device_id)) c->close(code, std::move(reason));
}

}  // namespace triage::collector
