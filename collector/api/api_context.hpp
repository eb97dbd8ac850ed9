#pragma once
// What REST handlers work with: the collector's services and one parsed request.

#include <chrono>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "collector/actions/order_service.hpp"
#include "collector/api/api_result.hpp"
#include "collector/api/json_response.hpp"
#include "collector/audit/audit_log.hpp"
#include "collector/auth/login_guard.hpp"
#include "collector/channel/agent_channel.hpp"
#include "collector/enrollment/enrollment_service.hpp"
#include "collector/integrations/credential_cipher.hpp"
#include "collector/live/live_service.hpp"
#include "collector/metrics/collector_metrics.hpp"
#include "collector/probes/probe_service.hpp"
#include "collector/storage/store.hpp"
#include "collector/tickets/enrichment_scheduler.hpp"
#include "collector/tickets/ticket_service.hpp"
#include "shared/transport/peer_identity.hpp"

namespace triage::collector {

class CustomActions;

struct ApiSettings {
  std::chrono::seconds session_ttl{12 * 3600};
  LoginSettings login;  ///< lockout and per-client throttling of password logins
};

struct ApiServices {
  Store& store;
  AgentChannel& agents;
  EnrollmentService& enrollment;
  CollectorMetrics& metrics;
  TicketService& tickets;
  EnrichmentScheduler& enrichment;
  AuditLog& audit;
  ApiSettings settings;
  /// Created by the router from `settings.login` when not given.
  std::shared_ptr<LoginGuard> login_guard = nullptr;
  /// Remediation orders and the action catalog; null disables those routes (503).
  OrderService* orders = nullptr;
  /// Diagnostic probes; null disables those routes (503).
  ProbeService* probes = nullptr;
  /// Live views; null disables those routes (503).
  LiveService* live = nullptr;
  /// Admin CRUD of custom actions; null disables those routes (503).
  CustomActions* custom_actions = nullptr;
  /// Tells the outbox worker to look at the queue now (after a redelivery or ping).
  std::function<void()> wake_outbox = nullptr;
  /// Seals integration credentials at rest; null stores them as given (tests, tools).
  std::shared_ptr<const CredentialCipher> credentials = nullptr;
  /// Enqueues what ticket events written here cause (problem links, external links); null
  /// plans nothing (tests, tools).
  OutboxPlanner* outbox_planner = nullptr;
  /// The company directory ([auth.ldap]) staff may sign in with; null: local accounts only.
  /// Given to the login guard the router creates.
  std::shared_ptr<Directory> directory = nullptr;
};

struct ApiRequest {
  const HttpRequest& http;
  const transport::PeerIdentity& peer;
  std::map<std::string, std::string> path_params;
  std::map<std::string, std::string> query;
  std::optional<User> user;           ///< set for authenticated routes
  std::optional<Authenticated> auth;  ///< how `user` authenticated (authenticated routes)
};

/// Parses the JSON body of `request`: kInvalid naming the problem when it is not an object.
Result<nlohmann::json> parse_json_body(const HttpRequest& request);

/// parse_json_body, then kInvalid naming the first field that is not in `known`.
Result<nlohmann::json> parse_json_body(const HttpRequest& request,
                                       std::initializer_list<std::string_view> known);

/// The positive integer id in path parameter `name`; kNotFound ("no `what` X") otherwise, since
/// a malformed id names nothing that exists.
Result<std::int64_t> numeric_path_param(ApiRequest& request, const char* name,
                                        std::string_view what);

}  // namespace triage::collector
