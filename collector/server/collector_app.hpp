#pragma once
// The collector as the transport sees it: console files and REST requests are answered on a
// worker pool (REST handlers may block on the database or a password hash); agent upgrades are
// checked against the device registry before a session exists.

#include <boost/asio/thread_pool.hpp>

#include "collector/api/api_router.hpp"
#include "collector/server/agent_registry.hpp"
#include "collector/server/agent_session.hpp"
#include "collector/storage/store.hpp"
#include "shared/transport/server.hpp"

namespace triage::collector {

class CollectorApp final : public transport::ServerApplication {
 public:
  CollectorApp(AgentSessionServices services, ApiRouter& router,
               AgentSessionSettings session_settings, std::size_t worker_threads);
  ~CollectorApp() override;

  void handle_http(transport::HttpRequest request, const transport::PeerIdentity& peer,
                   transport::Respond respond) override;
  transport::UpgradeDecision accept_websocket(const transport::HttpRequest& request,
                                              const transport::PeerIdentity& peer) override;
  /// Tracks the socket under its device, so revoking the device closes it before any hello.
  std::shared_ptr<void> on_verified_peer(const transport::PeerIdentity& peer,
                                         std::function<void()> close) override;

  /// Waits for queued REST work to finish (shutdown).
  void drain();

 private:
  /// Records (rate-limited, on the worker pool) that a device certificate was refused.
  void audit_refusal(const transport::PeerIdentity& peer, const std::string& reason);

  AgentSessionServices services_;
  ApiRouter& router_;
  AgentSessionSettings session_settings_;
  boost::asio::thread_pool workers_;
};

}  // namespace triage::collector
