#pragma once
// The cluster's presence in PostgreSQL: each node's lease (collector_nodes) and the node that
// holds each device's live session (device_sessions). A device is online where its row names
// a node whose lease has not expired, so a node that dies takes its devices offline when its
// lease runs out, with no cleanup of its own. Leases are timed by the database's clock.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shared/util/result.hpp"

namespace triage::postgres {
class Connection;
}

namespace triage::collector::pg_presence {

/// A device's session as the table records it.
struct SessionRow {
  std::string device_id;
  std::string node;
  std::uint64_t session_id = 0;
  std::string remote_address;
  std::int64_t since_ms = 0;  ///< when the session was answered (ms since the epoch)
};

/// Takes this node's lease, after deleting the sessions a previous run of it left behind.
/// Returns whether the name still held a live lease (another process with the same name, or
/// this node restarting within its lease).
Result<bool> start_node(postgres::Connection& conn, const std::string& node,
                        const std::string& address, std::chrono::milliseconds lease);
/// Extends this node's lease by `lease` from now.
Result<void> renew_lease(postgres::Connection& conn, const std::string& node,
                         const std::string& address, std::chrono::milliseconds lease);
/// Ends this node's lease and forgets its sessions (a clean stop).
Result<void> release_node(postgres::Connection& conn, const std::string& node);

/// Records `row` as the device's session; returns the session it replaced on another node
/// whose lease is live, if any.
Result<std::optional<SessionRow>> record_attach(postgres::Connection& conn, const SessionRow& row);
/// Forgets the session, unless a newer one replaced it.
Result<void> record_detach(postgres::Connection& conn, const std::string& device_id,
                           const std::string& node, std::uint64_t session_id);

/// The device's session on a node with a live lease, or nothing.
Result<std::optional<SessionRow>> live_session(postgres::Connection& conn,
                                               const std::string& device_id);
/// The sessions of those devices on nodes with a live lease (any order; none for the others).
Result<std::vector<SessionRow>> live_sessions(postgres::Connection& conn,
                                              const std::vector<std::string>& device_ids);
/// The nodes with a live lease, but `self`.
Result<std::vector<std::string>> live_nodes(postgres::Connection& conn, const std::string& self);
/// Sessions on nodes with a live lease, but `self`'s.
Result<std::size_t> count_live_sessions(postgres::Connection& conn, const std::string& self);

}  // namespace triage::collector::pg_presence
