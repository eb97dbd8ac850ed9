#include "collector/server/listener_policy.hpp"

#include <string_view>
#include <utility>

#include "collector/api/json_response.hpp"
#include "shared/pki/secrets.hpp"

namespace triage::collector {

namespace {

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

// What an agent asks of the agent port besides its WebSocket; load balancers probe /healthz.
bool agent_route(std::string_view path) { return path == "/healthz" || path == "/api/v1/enroll"; }

bool bears_token(const transport::HttpRequest& request, std::string_view token) {
  auto it = request.find(http::field::authorization);
  if (it == request.end()) return false;
  std::string_view value = it->value();
  constexpr std::string_view kBearer = "Bearer ";
  if (value.substr(0, kBearer.size()) != kBearer) return false;
  return pki::constant_time_equal(value.substr(kBearer.size()), token);
}

}  // namespace

ListenerPolicy::ListenerPolicy(transport::ServerApplication& inner, ListenerRules rules)
    : inner_(inner), rules_(std::move(rules)) {}

void ListenerPolicy::handle_http(transport::HttpRequest request,
                                 const transport::PeerIdentity& peer, transport::Respond respond) {
  const auto path = path_of(request.target());
  if (path == "/metrics") {
    if (!rules_.metrics_token.empty()) {
      if (!bears_token(request, rules_.metrics_token)) {
        auto res = error_response(http::status::unauthorized, "unauthorized",
                                  "/metrics needs the metrics bearer token ([metrics] token_file)");
        res.set(http::field::www_authenticate, "Bearer");
        return respond(std::move(res));
      }
    } else if (rules_.agent_port) {
      return respond(error_response(
          http::status::not_found, "not_found",
          "/metrics is served on the staff listener (staff_listen), or on any listener with a "
          "bearer token ([metrics] token_file)"));
    }
  } else if (rules_.agent_port && !rules_.serves_api && !agent_route(path)) {
    return respond(error_response(
        http::status::misdirected_request, "misdirected_request",
        "this is the agent port; staff routes are served on the staff listener (staff_listen), "
        "since agent_port_serves_api = false"));
  }
  inner_.handle_http(std::move(request), peer, std::move(respond));
}

void ListenerPolicy::accept_websocket(const transport::HttpRequest& request,
                                      const transport::PeerIdentity& peer,
                                      transport::Decide decide) {
  inner_.accept_websocket(request, peer, std::move(decide));
}

std::shared_ptr<void> ListenerPolicy::on_verified_peer(const transport::PeerIdentity& peer,
                                                       std::function<void()> close) {
  return inner_.on_verified_peer(peer, std::move(close));
}

transport::HttpResponse ListenerPolicy::error_response(transport::http::status status,
                                                       std::string_view code,
                                                       std::string_view message) const {
  return inner_.error_response(status, code, message);
}

}  // namespace triage::collector
