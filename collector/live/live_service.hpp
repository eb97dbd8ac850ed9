#pragma once
// Live views from request to recording. A technician (a viewer where `[probes]
// viewers_may_run` allows) opens a live session on a connected device, usually from a ticket:
// the collector signs a start with the order-signing key (its own context, so it can never
// pass for an order or a probe) and the agent streams a sample a second until the session's
// end; staff extend it (10 minutes at a time, an hour at most) or stop it. A second person who
// opens the same device joins the running session. The samples are stored as they arrive, by
// the node that holds the device's connection, so every node serves them and the recording
// stays on the ticket. Opening, extending and stopping are audited (target "live:ID") and,
// with a ticket, entries on its timeline. At most `max_sessions` sessions run at once;
// beyond, opening one is refused with a message that says so.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "collector/audit/audit_log.hpp"
#include "collector/channel/agent_channel.hpp"
#include "collector/storage/live_repository.hpp"
#include "collector/storage/store.hpp"
#include "collector/tickets/outbox_planner.hpp"
#include "shared/pki/openssl_ptr.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/live.pb.h"

namespace triage::collector {

struct LiveSettings {
  /// Sessions running at once, on every device together (`[live] max_sessions`).
  std::uint32_t max_sessions = 200;
  /// One opening or extension adds at most this much.
  std::chrono::minutes step{10};
  /// A session lasts at most this long in all, extensions included.
  std::chrono::minutes max_length{60};
  std::uint32_t interval_ms = 1000;
  /// How long a signed start stays valid on its way to the agent.
  std::chrono::seconds start_ttl{60};
  /// Viewers (L1) may watch too (the probes' setting: a live view only reads).
  bool viewers_may_watch = false;
};

/// What staff ask for.
struct LiveRequest {
  std::string device_id;
  std::optional<std::int64_t> ticket_id;
  std::uint32_t minutes = 10;
  std::string source;  ///< the requester's peer address, for the audit log
};

/// A session opened, or the running one joined.
struct LiveOpened {
  LiveSession session;
  bool joined = false;
};

/// The JSON the API shows for a session (state: starting, live, ended).
nlohmann::json live_session_json(const LiveSession& session, TimePoint now);

class LiveService {
 public:
  /// `store`, `agents`, `audit` and `signing_key` must outlive the service; `outbox` may be null.
  LiveService(Store& store, AgentChannel& agents, AuditLog& audit, EVP_PKEY* signing_key,
              std::string key_id, LiveSettings settings = {}, OutboxPlanner* outbox = nullptr);

  const LiveSettings& settings() const { return settings_; }

  /// Opens a session, or joins the device's running one. kDenied (role), kNotFound (device,
  /// ticket), kConflict (offline, revoked, not linked to the ticket), kUnavailable (the
  /// collector's limit of sessions at once), kInvalid (minutes).
  Result<LiveOpened> open(const LiveRequest& request, const User& user, TimePoint now);
  /// Moves the end `minutes` later than now (at most the session's maximum length).
  /// kConflict when it ended.
  Result<LiveSession> extend(const std::string& id, std::uint32_t minutes, const User& user,
                             const std::string& source, TimePoint now);
  /// Ends the session now and tells the agent. kConflict when it had ended.
  Result<LiveSession> stop(const std::string& id, const User& user, const std::string& source,
                           TimePoint now);
  Result<LiveSession> get(const std::string& id);
  /// Samples after `after_seq`, at most `limit`, as JSON.
  Result<std::vector<nlohmann::json>> samples(const std::string& id, std::uint32_t after_seq,
                                              int limit);
  Result<std::vector<LiveSession>> ticket_sessions(std::int64_t ticket_id);

  /// From the session of the authenticated `device_id` (any thread): a sample is kept to be
  /// stored by the next flush(); it returns whether a flush must be scheduled (the buffer was
  /// empty). A sample of a session of another device, or of one that ended, is dropped there.
  bool accept_sample(const std::string& device_id, const v1::LiveSample& sample);
  /// Stores what accept_sample() kept, in one transaction (the ingest writer's thread).
  Result<std::size_t> flush();
  /// The agent ended the stream (time up, stopped, refused); recorded once.
  Result<void> record_ended(const std::string& device_id, const v1::LiveEnded& ended,
                            TimePoint now);
  /// The device's connection closed: its running sessions end.
  Result<void> device_disconnected(const std::string& device_id, TimePoint now);

  /// Samples waiting for a flush, at most: beyond, a sample is dropped (the writer is behind).
  static constexpr std::size_t kMaxPendingSamples = 20'000;

 private:
  Result<void> send_start(const LiveSession& session, TimePoint now);
  /// Ends `id` (audit, ticket entry) unless it has ended; false when it had.
  Result<bool> end_session(const LiveSession& session, const std::string& actor,
                           bool actor_is_device, const std::string& reason,
                           const std::string& source, TimePoint now);

  Store& store_;
  AgentChannel& agents_;
  AuditLog& audit_;
  EVP_PKEY* signing_key_;
  std::string key_id_;
  LiveSettings settings_;
  OutboxPlanner* outbox_;

  struct Pending {
    std::string device_id;
    LiveSampleRow row;
  };
  std::mutex pending_mutex_;
  std::vector<Pending> pending_;
  /// Serializes open() so two people opening the same device (or the last free place) at once
  /// cannot both start a session (one node; across nodes the limit is approximate).
  std::mutex open_mutex_;
};

}  // namespace triage::collector
