#pragma once
// What each listener answers, in front of the collector's application: the agent port can be
// narrowed to what agents need (`agent_port_serves_api = false`), and /metrics is served only
// on the staff listener or to a bearer of the metrics token, never to anyone who can reach
// the agent port.

#include <string>

#include "shared/transport/server.hpp"

namespace triage::collector {

struct ListenerRules {
  /// The agent port (`listen`); false for the staff listener.
  bool agent_port = true;
  /// Agent port only: staff routes (REST API, console) are served there too.
  bool serves_api = true;
  /// When set, /metrics requires `Authorization: Bearer <token>` on every listener; when
  /// empty, /metrics is served on the staff listener only.
  std::string metrics_token;
};

class ListenerPolicy final : public transport::ServerApplication {
 public:
  ListenerPolicy(transport::ServerApplication& inner, ListenerRules rules);

  void handle_http(transport::HttpRequest request, const transport::PeerIdentity& peer,
                   transport::Respond respond) override;
  void accept_websocket(const transport::HttpRequest& request, const transport::PeerIdentity& peer,
                        transport::Decide decide) override;
  std::shared_ptr<void> on_verified_peer(const transport::PeerIdentity& peer,
                                         std::function<void()> close) override;
  transport::HttpResponse error_response(transport::http::status status, std::string_view code,
                                         std::string_view message) const override;

 private:
  transport::ServerApplication& inner_;
  ListenerRules rules_;
};

}  // namespace triage::collector
