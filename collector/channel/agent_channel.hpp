#pragma once
// How the rest of the collector reaches an agent: the API, orders, catalog pushes and ticket
// enrichment send messages to a device, ask whether it is online and where, and disconnect it,
// through this interface only. The in-process map of this node's sessions
// (LocalAgentChannel) is one implementation; delivery to a device connected to another
// collector node plugs in here.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shared/transport/websocket_handler.hpp"
#include "triage/v1/envelope.pb.h"

namespace triage::collector {

/// Where a device's live session is.
struct AgentLocation {
  std::string node;                             ///< the collector node that holds the session
  std::uint64_t session_id = 0;                 ///< the session on that node
  std::string remote_address;                   ///< the agent's address as that node sees it
  std::chrono::system_clock::time_point since;  ///< when the session was answered (online)
};

/// What became of a message handed to the channel.
enum class Delivery {
  kQueued,   ///< on its way to the device's session (not proof that the agent read it)
  kOffline,  ///< the device has no live session: nothing was sent
  kDropped,  ///< the session is ending or not keeping up (its send queue is full)
};

class AgentChannel {
 public:
  virtual ~AgentChannel() = default;

  /// Sends `message` to the device's live session. Any thread.
  virtual Delivery send(const std::string& device_id, const v1::CollectorMessage& message) = 0;
  /// Sends `message` to every online device; returns for how many it was queued.
  virtual std::size_t broadcast(const v1::CollectorMessage& message) = 0;
  /// Whether the device has a live session (its hello was answered and it has not ended).
  virtual bool is_online(const std::string& device_id) const = 0;
  /// The device's live session, or nothing when it is offline.
  virtual std::optional<AgentLocation> locate(const std::string& device_id) const = 0;
  /// locate() of each device, in order (a listing: one look-up where the channel can).
  virtual std::vector<std::optional<AgentLocation>> locate_each(
      const std::vector<std::string>& device_ids) const {
    std::vector<std::optional<AgentLocation>> out;
    out.reserve(device_ids.size());
    for (const auto& id : device_ids) out.push_back(locate(id));
    return out;
  }
  /// Closes every socket of the device, online or still before its hello (revocation).
  virtual void disconnect(const std::string& device_id, transport::CloseCode code,
                          std::string reason) = 0;
};

}  // namespace triage::collector
