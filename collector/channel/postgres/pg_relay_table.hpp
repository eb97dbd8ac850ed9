#pragma once
// Messages relayed between collector nodes through PostgreSQL (channel_messages): a row for
// the node that must act, then a NOTIFY on that node's channel (triage_node_channel(node)).
// The node takes its rows (deleting them as it reads, so each is acted on once), after every
// notification and after (re)connecting its LISTEN connection, so a lost notification only
// delays a message. A message for a device whose session moved is claimed by the node the
// device comes back to.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shared/util/result.hpp"

namespace triage::postgres {
class Connection;
}

namespace triage::collector::pg_relay {

enum class Kind {
  kSend,        ///< a CollectorMessage for one device's session
  kBroadcast,   ///< a CollectorMessage for every session of the node
  kDisconnect,  ///< close every socket of the device (revocation); payload: the reason
  kReplaced,    ///< close one session the device replaced on another node
  /// A snapshot request relayed from a node was answered through another: the snapshot is
  /// committed as report `session_id` of the device; payload: the request id.
  kAnswered,
};

/// A row taken for delivery.
struct Relayed {
  std::int64_t id = 0;
  Kind kind = Kind::kSend;
  std::string device_id;
  std::uint64_t session_id = 0;
  int code = 0;
  std::string payload;
};

/// Relays `payload` to the node with the device's live session, unless that node is `self`
/// or there is none; returns the node it went to.
Result<std::optional<std::string>> send_to_device(postgres::Connection& conn,
                                                  const std::string& device_id,
                                                  const std::string& self,
                                                  const std::string& payload);
/// A row for `node` (broadcast, disconnect, replaced, answered), with its NOTIFY.
Result<void> post(postgres::Connection& conn, const std::string& node, Kind kind,
                  const std::string& device_id, std::uint64_t session_id, int code,
                  const std::string& payload);
/// Keeps a message for a device that has no live session anywhere: the node it comes back to
/// claims it (claim_for_device).
Result<void> park(postgres::Connection& conn, const std::string& device_id,
                  const std::string& payload);

/// Takes (deletes and returns, oldest first) up to `limit` rows meant for `node`.
Result<std::vector<Relayed>> take_for_node(postgres::Connection& conn, const std::string& node,
                                           int limit);
/// Takes every message relayed to the device and not delivered yet, whichever node it was
/// meant for (the device's session is here now), oldest first.
Result<std::vector<Relayed>> claim_for_device(postgres::Connection& conn,
                                              const std::string& device_id);
/// Deletes rows older than `max_age` (nobody took them: an order in them has expired by now).
Result<std::int64_t> expire(postgres::Connection& conn, std::chrono::milliseconds max_age);

}  // namespace triage::collector::pg_relay
