#include "collector/server/collector_app.hpp"

#include <boost/asio/post.hpp>

#include "collector/api/json_response.hpp"
#include "collector/console/console_handler.hpp"
#include "shared/util/log_levels.hpp"
#include "shared/util/time_format.hpp"

namespace triage::collector {

namespace http = transport::http;

namespace {

// The requests that run scrypt (tens of milliseconds and 32 MiB each, by design).
bool hashes_password(const transport::HttpRequest& request) {
  std::string_view target(request.target().data(), request.target().size());
  target = target.substr(0, target.find('?'));
  if (request.method() == http::verb::delete_) return target == "/api/v1/me/totp";
  if (request.method() != http::verb::post) return false;
  constexpr std::string_view kUsers = "/api/v1/users/";
  constexpr std::string_view kReset = "/reset-password";
  const bool reset = target.size() > kUsers.size() + kReset.size() &&
                     target.substr(0, kUsers.size()) == kUsers &&
                     target.substr(target.size() - kReset.size()) == kReset;
  return target == "/api/v1/auth/login" || target == "/api/v1/auth/password" ||
         target == "/api/v1/me/password" || target == "/api/v1/me/totp" ||
         target == "/api/v1/users" || reset;
}

}  // namespace

CollectorApp::CollectorApp(AgentSessionServices services, ApiRouter& router,
                           AgentSessionSettings session_settings, std::size_t worker_threads,
                           std::size_t login_threads, std::size_t login_queue,
                           std::size_t device_check_threads)
    : services_(services),
      router_(router),
      session_settings_(session_settings),
      workers_(worker_threads),
      login_workers_(login_threads),
      device_checks_(device_check_threads),
      login_capacity_(login_threads + login_queue) {}

CollectorApp::~CollectorApp() { drain(); }

void CollectorApp::drain() {
  device_checks_.stop();
  device_checks_.join();
  workers_.stop();
  workers_.join();
  login_workers_.stop();
  login_workers_.join();
}

transport::HttpResponse CollectorApp::answer(const transport::HttpRequest& request,
                                             const transport::PeerIdentity& peer) {
  // The console's static files first: everything under /api/v1 (and health, metrics) is
  // the REST router's, with its own route table and OpenAPI document.
  auto console = console_response(request);
  auto response = console ? std::move(*console) : router_.handle(request, peer);
  services_.metrics.http_request(std::to_string(response.result_int() / 100) + "xx").Increment();
  return response;
}

void CollectorApp::handle_http(transport::HttpRequest request, const transport::PeerIdentity& peer,
                               transport::Respond respond) {
  if (hashes_password(request)) {
    handle_password_request(std::move(request), peer, std::move(respond));
    return;
  }
  boost::asio::post(
      workers_, [this, request = std::move(request), peer, respond = std::move(respond)]() mutable {
        respond(answer(request, peer));
      });
}

void CollectorApp::handle_password_request(transport::HttpRequest request,
                                           const transport::PeerIdentity& peer,
                                           transport::Respond respond) {
  // Refused at once, on the I/O thread, rather than queued without bound: a client told
  // "busy" retries later, while a long queue would only answer everyone late.
  if (login_pending_.fetch_add(1) >= login_capacity_) {
    login_pending_.fetch_sub(1);
    services_.metrics.refusal("login_busy").Increment();
    services_.metrics.http_request("5xx").Increment();
    auto res = error_response(http::status::service_unavailable, "busy",
                              "too many logins are being checked right now; try again shortly");
    res.set(http::field::retry_after, "1");
    respond(std::move(res));
    return;
  }
  boost::asio::post(login_workers_, [this, request = std::move(request), peer,
                                     respond = std::move(respond)]() mutable {
    auto response = answer(request, peer);
    login_pending_.fetch_sub(1);
    respond(std::move(response));
  });
}

void CollectorApp::accept_websocket(const transport::HttpRequest& request,
                                    const transport::PeerIdentity& peer, transport::Decide decide) {
  if (request.target() != "/agent/v1") {
    return decide(refuse_upgrade(peer, http::status::not_found, "not_found",
                                 "no WebSocket endpoint at " + std::string(request.target())));
  }
  if (!peer.has_verified_certificate) {
    return decide(refuse_upgrade(peer, http::status::unauthorized, "unauthorized",
                                 "a device certificate is required (enroll the agent first)"));
  }
  // The device registry is read off the I/O thread: against a networked database a read is a
  // round trip, and an I/O thread serves every connection on it.
  boost::asio::post(device_checks_, [this, peer, decide = std::move(decide)] {
    try {
      decide(check_device(peer));
    } catch (const std::exception& e) {
      logs::api().error("agent connection from {}: device check threw: {}", peer.remote_address,
                        e.what());
      decide(
          refuse_upgrade(peer, http::status::internal_server_error, "internal", "internal error"));
    }
  });
}

transport::UpgradeDecision CollectorApp::refuse_upgrade(const transport::PeerIdentity& peer,
                                                        http::status status, std::string_view code,
                                                        const std::string& reason) {
  logs::api().warn("agent connection from {} refused: {}", peer.remote_address, reason);
  services_.metrics.refusal(std::string(code)).Increment();
  transport::UpgradeDecision decision;
  decision.refusal = error_response(status, code, reason);
  return decision;
}

transport::UpgradeDecision CollectorApp::check_device(const transport::PeerIdentity& peer) {
  // Unknown, revoked and superseded certificates were issued by our CA: worth an audit record.
  auto refuse_device = [&](std::string_view code, const std::string& reason) {
    audit_refusal(peer, reason);
    return refuse_upgrade(peer, http::status::forbidden, code, reason);
  };
  auto device = services_.store.read().devices().find_device(peer.certificate_common_name);
  if (!device) {
    return refuse_upgrade(peer, http::status::service_unavailable, "unavailable",
                          device.error().message);
  }
  if (!*device) {
    return refuse_device("forbidden",
                         "device " + peer.certificate_common_name + " is not enrolled here");
  }
  if ((*device)->revoked_at) {
    return refuse_device("revoked", "device " + (*device)->id + " was revoked at " +
                                        format_rfc3339(*(*device)->revoked_at));
  }
  if (!certificate_accepted(**device, peer.certificate_sha256)) {
    return refuse_device("forbidden", "certificate of device " + (*device)->id + " was superseded");
  }
  transport::UpgradeDecision decision;
  decision.handler = std::make_unique<AgentSession>((*device)->id, peer.certificate_sha256,
                                                    services_, session_settings_);
  return decision;
}

transport::HttpResponse CollectorApp::error_response(transport::http::status status,
                                                     std::string_view code,
                                                     std::string_view message) const {
  return collector::error_response(status, code, message);
}

std::shared_ptr<void> CollectorApp::on_verified_peer(const transport::PeerIdentity& peer,
                                                     std::function<void()> close) {
  if (peer.certificate_common_name.empty()) return nullptr;
  return services_.presence.track(
      peer.certificate_common_name,
      [close = std::move(close)](transport::CloseCode, const std::string&) { close(); });
}

void CollectorApp::audit_refusal(const transport::PeerIdentity& peer, const std::string& reason) {
  if (!services_.audit) return;
  AuditEvent event;
  event.at = std::chrono::system_clock::now();
  event.actor = peer.certificate_common_name;
  event.actor_kind = AuditActorKind::kDevice;
  event.source = peer.remote_address;
  event.type = "agent.refused";
  event.target = "device:" + peer.certificate_common_name;
  event.outcome = AuditOutcome::kDenied;
  event.details = {{"reason", reason}, {"certificate_sha256", peer.certificate_sha256}};
  // A database write does not belong on an I/O thread; the limiter keeps a reconnecting
  // (or hostile) agent from flooding the log.
  boost::asio::post(workers_, [audit = services_.audit, event = std::move(event)] {
    audit->record_limited(event.actor, event);
  });
}

}  // namespace triage::collector
