#include "collector/channel/local_agent_channel.hpp"

#include <boost/asio/ip/host_name.hpp>

#include "shared/protocol/codec.hpp"

namespace triage::collector {

namespace {

std::string this_host_name() {
  boost::system::error_code ec;
  auto name = boost::asio::ip::host_name(ec);
  return ec || name.empty() ? std::string("local") : name;
}

}  // namespace

LocalAgentChannel::LocalAgentChannel() : LocalAgentChannel(this_host_name()) {}

LocalAgentChannel::LocalAgentChannel(std::string node)
    : node_(node.empty() ? this_host_name() : std::move(node)) {}

Delivery LocalAgentChannel::send(const std::string& device_id,
                                 const v1::CollectorMessage& message) {
  auto conn = connection(device_id);
  if (!conn) return Delivery::kOffline;
  return conn->send(protocol::encode(message)) ? Delivery::kQueued : Delivery::kDropped;
}

std::size_t LocalAgentChannel::broadcast(const v1::CollectorMessage& message) {
  std::vector<std::shared_ptr<transport::WebSocketConnection>> connections;
  {
    std::lock_guard lock(mutex_);
    connections.reserve(entries_.size());
    for (const auto& [id, entry] : entries_) {
      if (auto conn = entry.connection.lock()) connections.push_back(std::move(conn));
    }
  }
  // Encoded once; sent outside the lock (a send may close a connection that detaches).
  const auto frame = protocol::encode(message);
  std::size_t queued = 0;
  for (const auto& conn : connections) {
    if (conn->send(frame)) ++queued;
  }
  return queued;
}

bool LocalAgentChannel::is_online(const std::string& device_id) const {
  std::lock_guard lock(mutex_);
  return entries_.count(device_id) != 0;
}

std::optional<AgentLocation> LocalAgentChannel::locate(const std::string& device_id) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(device_id);
  if (it == entries_.end()) return std::nullopt;
  return AgentLocation{node_, it->second.session_id, it->second.remote_address, it->second.since};
}

std::shared_ptr<transport::WebSocketConnection> LocalAgentChannel::attach(
    const std::string& device_id, std::uint64_t session_id,
    const std::shared_ptr<transport::WebSocketConnection>& connection) {
  Entry next{session_id, connection, connection->peer().remote_address,
             std::chrono::system_clock::now()};
  std::lock_guard lock(mutex_);
  auto& entry = entries_[device_id];
  auto previous = entry.connection.lock();
  entry = std::move(next);
  return previous;
}

void LocalAgentChannel::detach(const std::string& device_id, std::uint64_t session_id) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(device_id);
  if (it != entries_.end() && it->second.session_id == session_id) entries_.erase(it);
}

std::shared_ptr<transport::WebSocketConnection> LocalAgentChannel::connection(
    const std::string& device_id) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(device_id);
  return it == entries_.end() ? nullptr : it->second.connection.lock();
}

bool LocalAgentChannel::close_session(const std::string& device_id, std::uint64_t session_id,
                                      transport::CloseCode code, const std::string& reason) {
  std::shared_ptr<transport::WebSocketConnection> conn;
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(device_id);
    if (it == entries_.end() || it->second.session_id != session_id) return false;
    conn = it->second.connection.lock();
  }
  // Outside the lock: closing ends the session, which detaches.
  if (conn) conn->close(code, reason);
  return conn != nullptr;
}

std::shared_ptr<void> LocalAgentChannel::track(const std::string& device_id, Closer close) {
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

std::size_t LocalAgentChannel::tracked_count(const std::string& device_id) const {
  std::lock_guard lock(mutex_);
  auto it = tracked_.find(device_id);
  return it == tracked_.end() ? 0 : it->second.size();
}

void LocalAgentChannel::disconnect(const std::string& device_id, transport::CloseCode code,
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
