#pragma once
// Diagnostic probes from request to result. Staff ask for a probe on a device (a technician,
// or a viewer where the configuration allows it; no approval: probes only read); the
// collector checks the typed parameters with the rules the agent applies again, bounds the
// rate per device, signs the request with the order-signing key (its own context, so it can
// never pass for an order) and sends it to the device's live session: probes are for now and
// are never queued for an offline device. The request and the agent's answer are both
// records of the hash-chained audit log (target "probe:ID"), which is where a run is stored
// and read back from on any collector node; with a ticket, each is also an internal entry on
// its timeline, written in the same transaction.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "collector/audit/audit_log.hpp"
#include "collector/channel/agent_channel.hpp"
#include "collector/storage/store.hpp"
#include "collector/tickets/outbox_planner.hpp"
#include "shared/pki/openssl_ptr.hpp"
#include "shared/util/rate_limiter.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/probe.pb.h"

namespace triage::collector {

struct ProbeSettings {
  /// How long a signed probe stays valid; an answer later than this is not expected.
  std::chrono::seconds ttl{60};
  /// Viewers (L1) may run probes too (`[probes] viewers_may_run`); else technicians and up.
  bool viewers_may_run = false;
  /// Probes one device may be asked for per minute (a burst of as many).
  std::uint32_t per_device_per_minute = 20;
};

/// What staff ask for.
struct ProbeRequest {
  std::string device_id;
  std::string probe;
  nlohmann::json params = nlohmann::json::object();
  std::optional<std::int64_t> ticket_id;
  std::uint32_t time_budget_ms = 0;       ///< 0: the default
  std::uint32_t output_budget_bytes = 0;  ///< 0: the default
  std::string source;                     ///< the requester's peer address, for the audit log
};

/// A probe run as stored: its request and, once the agent answered, the answer.
struct ProbeRun {
  std::string id;
  std::string device_id;
  std::string probe;
  nlohmann::json params = nlohmann::json::object();
  std::string target;
  std::optional<std::int64_t> ticket_id;
  std::string requested_by;
  TimePoint requested_at;
  TimePoint expires_at;
  std::uint32_t time_budget_ms = 0;
  std::uint32_t output_budget_bytes = 0;
  /// sent, completed, failed, refused, unanswered (no answer before it expired)
  std::string state = "sent";
  /// The agent's answer (status, reason, budget, duration, the probe's typed result).
  nlohmann::json answer;
};

/// The JSON the API shows for a run.
nlohmann::json probe_run_json(const ProbeRun& run);

class ProbeService {
 public:
  /// `store`, `agents`, `audit` and `signing_key` (Ed25519, the order-signing key) must outlive
  /// the service; `outbox` may be null.
  ProbeService(Store& store, AgentChannel& agents, AuditLog& audit, EVP_PKEY* signing_key,
               std::string key_id, ProbeSettings settings = {}, OutboxPlanner* outbox = nullptr);

  const ProbeSettings& settings() const { return settings_; }

  /// Checks, records and sends the probe. kInvalid (parameters, budgets), kDenied (role),
  /// kNotFound (device, ticket), kConflict (device offline, revoked, not linked to the
  /// ticket), kUnavailable (the device's rate bound; the message says when to retry).
  Result<ProbeRun> request(const ProbeRequest& request, const User& user, TimePoint now);
  /// The agent's answer, from the session of the authenticated `device_id` (an answer naming
  /// another device's run, or one answered already, is ignored). Returns once committed.
  Result<void> record_result(const std::string& device_id, const v1::ProbeResult& result,
                             TimePoint now);
  /// kNotFound when no such run was requested.
  Result<ProbeRun> get(const std::string& id, TimePoint now);
  /// The device's most recent runs, newest first, at most `limit`: every run it answered, and
  /// the runs still waiting or left unanswered among the collector's last
  /// kRecentRequestsScanned probe requests (older unanswered ones stay readable one by one).
  /// kNotFound when there is no such device.
  Result<std::vector<ProbeRun>> recent_runs(const std::string& device_id, int limit, TimePoint now);

  /// How many of the newest probe requests recent_runs() looks through for unanswered runs.
  static constexpr int kRecentRequestsScanned = 500;

 private:
  Store& store_;
  AgentChannel& agents_;
  AuditLog& audit_;
  EVP_PKEY* signing_key_;
  std::string key_id_;
  ProbeSettings settings_;
  OutboxPlanner* outbox_;
  RateLimiter rate_;
};

}  // namespace triage::collector
