#pragma once
// The collector as the transport sees it: console files and REST requests are answered on a
// worker pool (REST handlers may block on the database); requests that hash a password (login,
// password change, new user) on a small pool of their own with a bounded queue, so a login
// flood cannot hold the workers; agent upgrades are checked against the device registry before
// a session exists.

#include <atomic>
#include <cstddef>

#include <boost/asio/thread_pool.hpp>

#include "collector/api/api_router.hpp"
#include "collector/server/agent_session.hpp"
#include "collector/storage/store.hpp"
#include "shared/transport/server.hpp"

namespace triage::collector {

class CollectorApp final : public transport::ServerApplication {
 public:
  /// `login_threads` hash passwords; at most `login_queue` more such requests wait for one,
  /// beyond that they are answered 503 `busy` with Retry-After at once. `device_check_threads`
  /// read the device of each agent upgrade.
  CollectorApp(AgentSessionServices services, ApiRouter& router,
               AgentSessionSettings session_settings, std::size_t worker_threads,
               std::size_t login_threads = 2, std::size_t login_queue = 32,
               std::size_t device_check_threads = 2);
  ~CollectorApp() override;

  void handle_http(transport::HttpRequest request, const transport::PeerIdentity& peer,
                   transport::Respond respond) override;
  /// Checks the path and the certificate at once; reads the device on the device-check pool
  /// (never on the I/O thread) and decides there.
  void accept_websocket(const transport::HttpRequest& request, const transport::PeerIdentity& peer,
                        transport::Decide decide) override;
  /// Tracks the socket under its device, so revoking the device closes it before any hello.
  std::shared_ptr<void> on_verified_peer(const transport::PeerIdentity& peer,
                                         std::function<void()> close) override;
  /// The REST API's error shape ({"error": {"code", "message"}}) for the server's own errors.
  transport::HttpResponse error_response(transport::http::status status, std::string_view code,
                                         std::string_view message) const override;

  /// Waits for queued REST work to finish (shutdown).
  void drain();

 private:
  /// The device's registry entry decides an agent's upgrade: enrolled here, not revoked, this
  /// very certificate. Reads the store: runs on the device-check pool.
  transport::UpgradeDecision check_device(const transport::PeerIdentity& peer);
  transport::UpgradeDecision refuse_upgrade(const transport::PeerIdentity& peer,
                                            transport::http::status status, std::string_view code,
                                            const std::string& reason);
  /// Records (rate-limited, on the worker pool) that a device certificate was refused.
  void audit_refusal(const transport::PeerIdentity& peer, const std::string& reason);
  /// Runs a request that hashes a password on the login pool, or refuses it when full.
  void handle_password_request(transport::HttpRequest request, const transport::PeerIdentity& peer,
                               transport::Respond respond);
  transport::HttpResponse answer(const transport::HttpRequest& request,
                                 const transport::PeerIdentity& peer);

  AgentSessionServices services_;
  ApiRouter& router_;
  AgentSessionSettings session_settings_;
  boost::asio::thread_pool workers_;
  boost::asio::thread_pool login_workers_;
  boost::asio::thread_pool device_checks_;
  std::size_t login_capacity_;  ///< running + waiting password requests allowed
  std::atomic<std::size_t> login_pending_{0};
};

}  // namespace triage::collector
