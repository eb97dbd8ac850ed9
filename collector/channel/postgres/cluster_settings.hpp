#pragma once
// [cluster]: how a collector node on a shared PostgreSQL database presents itself to the
// other nodes (its name, and the lease that says it is alive).

#include <chrono>
#include <string>

namespace triage::collector {

struct ClusterSettings {
  /// This node's name, unique among the nodes sharing one database ("" = the host name).
  std::string node;
  /// How long a lease lasts: a node that has not renewed it this long counts as dead and its
  /// devices as offline.
  std::chrono::milliseconds lease{15'000};
  /// How often a node renews its lease (well within `lease`).
  std::chrono::milliseconds renew_interval{5'000};
};

}  // namespace triage::collector
