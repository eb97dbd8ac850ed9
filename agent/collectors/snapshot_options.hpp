#pragma once
// What a snapshot covers and where it reads from.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace triage::agent {

/// Options of SnapshotTaker. Category names are those of category_name().
struct SnapshotOptions {
  /// Filesystem root every collector reads ("/" = this machine).
  std::filesystem::path sysroot = "/";
  /// Categories to collect; empty = all.
  std::vector<std::string> only_categories;
  /// Categories turned off by configuration (reported as DISABLED).
  std::vector<std::string> disabled_categories;
  /// Active network probes (gateway, DNS, collector). Never run under a --sysroot tree.
  bool probes_enabled = true;
  /// Name the DNS probe resolves through each configured nameserver ("" = skip DNS probe).
  std::string probe_dns_name;
  /// Collector host and port for the reachability probe ("" = skip).
  std::string probe_collector_host;
  std::uint16_t probe_collector_port = 0;
  /// Window over which process CPU usage is sampled on a live machine.
  std::uint32_t process_sample_ms = 200;
  /// Collectors kept off until a time (Unix ms) because they went over budget earlier: the
  /// daemon's cool-downs, handed to a snapshot process that has no memory of its own.
  std::map<std::string, std::int64_t, std::less<>> cooling_until_unix_ms;
};

}  // namespace triage::agent
