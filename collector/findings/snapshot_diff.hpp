#pragma once
// "What changed" between two snapshots of one machine, as a technician reads it: software,
// service states, filling disks, network configuration, OS and hardware. A category is only
// compared when both snapshots report it; data missing on one side is not a change.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "triage/v1/snapshot.pb.h"

namespace triage::collector {

/// A package present on one side only.
struct PackageRef {
  std::string name;
  std::string arch;
  std::string version;
};

/// A package whose version differs (upgrade or downgrade; versions are not ordered here).
struct PackageVersionChange {
  std::string name;
  std::string arch;
  std::string old_version;
  std::string new_version;
};

/// A unit whose active or sub state differs. States are "active", "failed"...; "" on the side
/// where the unit was not listed (the agent lists non-service units only while they fail).
struct ServiceStateChange {
  std::string unit;
  std::string old_active;
  std::string old_sub;
  std::string new_active;
  std::string new_sub;
};

/// A filesystem whose usage grew by at least 10 points or crossed 90 %.
struct FilesystemFill {
  std::string mount_point;
  double old_used_percent = 0;
  double new_used_percent = 0;
};

/// Addresses that appeared or disappeared on one interface ("192.168.1.20/24").
struct InterfaceAddressChange {
  std::string interface;
  std::vector<std::string> added;
  std::vector<std::string> removed;
};

/// A single value before and after; "" means "none" on that side.
struct ValueChange {
  std::string old_value;
  std::string new_value;
};

/// A size before and after.
struct ByteCountChange {
  std::uint64_t old_bytes = 0;
  std::uint64_t new_bytes = 0;
};

/// Members that joined or left a set (DNS servers).
struct SetChange {
  std::vector<std::string> added;
  std::vector<std::string> removed;
};

/// Everything that changed; every list is sorted by its key.
struct SnapshotChanges {
  std::vector<PackageRef> packages_installed;
  std::vector<PackageRef> packages_removed;
  std::vector<PackageVersionChange> packages_updated;
  std::vector<ServiceStateChange> services;
  std::vector<FilesystemFill> filesystems_filled;
  std::vector<InterfaceAddressChange> addresses;
  std::optional<ValueChange> default_gateway;
  std::optional<ValueChange> default_gateway_v6;
  std::optional<SetChange> dns_servers;
  std::optional<ValueChange> kernel;
  std::optional<ValueChange> os;
  std::optional<ByteCountChange> memory_total;
  std::optional<ValueChange> cpu_model;

  /// True when nothing changed.
  bool empty() const;
};

/// Growth of a filesystem's use, in percentage points, that counts as "filled".
inline constexpr double kFillGrowthPoints = 10.0;
/// Crossing this use makes a filesystem "filled" whatever the growth.
inline constexpr double kFillThresholdPercent = 90.0;
/// Relative change of memory total that counts as a hardware change; smaller differences come
/// from kernel reservations changing between boots.
inline constexpr double kMemoryChangeFraction = 0.05;

/// What changed from `older` to `newer`. Never throws.
SnapshotChanges diff_snapshots(const v1::Snapshot& older, const v1::Snapshot& newer);

/// Stable keys, always present: software{installed, removed, updated}, services,
/// filesystems_filled, network{addresses, default_gateway, default_gateway_v6, dns_servers},
/// system{kernel, os}, hardware{memory_total, cpu_model}, empty. Absent values are null.
nlohmann::json to_json(const SnapshotChanges& changes);

}  // namespace triage::collector
