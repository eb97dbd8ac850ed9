#include "collector/findings/snapshot_diff.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <set>
#include <string_view>
#include <tuple>

namespace triage::collector {
namespace {

/// Whether `snapshot` carries collector `name`'s output. Failed collectors' output is discarded
/// by the agent, so their fields read as empty; that must not look like "everything removed".
/// A snapshot without any collector status (hand-built, or a very old agent) is trusted and the
/// data's presence decides.
bool collected(const v1::Snapshot& snapshot, std::string_view name) {
  if (snapshot.collectors_size() == 0) return true;
  for (const auto& status : snapshot.collectors()) {
    if (status.name() == name) return status.outcome() == v1::CollectorStatus::OK;
  }
  return false;
}

bool collected_both(const v1::Snapshot& a, const v1::Snapshot& b, std::string_view name) {
  return collected(a, name) && collected(b, name);
}

// ------------------------------------------------------------------ software

using PackageKey = std::tuple<std::string, std::string, int>;

std::map<PackageKey, const v1::Package*> packages_of(const v1::Snapshot& s,
                                                     v1::Package::Source source) {
  std::map<PackageKey, const v1::Package*> out;
  for (const auto& p : s.software().packages()) {
    if (p.source() == source) out.emplace(PackageKey{p.name(), p.arch(), p.source()}, &p);
  }
  return out;
}

void diff_packages(const v1::Snapshot& older, const v1::Snapshot& newer, v1::Package::Source source,
                   std::string_view collector, SnapshotChanges& out) {
  if (!collected_both(older, newer, collector)) return;
  auto before = packages_of(older, source);
  auto after = packages_of(newer, source);
  // No machine has zero packages: an empty side means the list was not reported.
  if (before.empty() || after.empty()) return;
  for (const auto& [key, p] : after) {
    auto it = before.find(key);
    if (it == before.end()) {
      out.packages_installed.push_back({p->name(), p->arch(), p->version()});
    } else if (it->second->version() != p->version()) {
      out.packages_updated.push_back({p->name(), p->arch(), it->second->version(), p->version()});
    }
  }
  for (const auto& [key, p] : before) {
    if (!after.contains(key)) out.packages_removed.push_back({p->name(), p->arch(), p->version()});
  }
}

// ------------------------------------------------------------------ services

std::string active_state_name(v1::ServiceUnit::ActiveState state) {
  switch (state) {
    case v1::ServiceUnit::ACTIVE:
      return "active";
    case v1::ServiceUnit::INACTIVE:
      return "inactive";
    case v1::ServiceUnit::FAILED:
      return "failed";
    case v1::ServiceUnit::ACTIVATING:
      return "activating";
    case v1::ServiceUnit::DEACTIVATING:
      return "deactivating";
    case v1::ServiceUnit::RELOADING:
      return "reloading";
    default:
      return "unknown";
  }
}

void diff_services(const v1::Snapshot& older, const v1::Snapshot& newer, SnapshotChanges& out) {
  if (!collected_both(older, newer, "systemd_units")) return;
  const auto& a = older.software().services().units();
  const auto& b = newer.software().services().units();
  if (a.empty() || b.empty()) return;
  std::map<std::string, const v1::ServiceUnit*> before, after;
  for (const auto& u : a) before.emplace(u.name(), &u);
  for (const auto& u : b) after.emplace(u.name(), &u);
  std::set<std::string> names;
  for (const auto& [n, u] : before) names.insert(n);
  for (const auto& [n, u] : after) names.insert(n);
  for (const auto& name : names) {
    auto ib = before.find(name), ia = after.find(name);
    const v1::ServiceUnit* old_unit = ib == before.end() ? nullptr : ib->second;
    const v1::ServiceUnit* new_unit = ia == after.end() ? nullptr : ia->second;
    if (old_unit && new_unit) {
      if (old_unit->active_state() == new_unit->active_state() &&
          old_unit->sub_state() == new_unit->sub_state())
        continue;
    } else {
      // A unit listed on one side only was installed or removed (the package diff says so),
      // unless it is failed: the agent lists non-service units only while they fail.
      const auto* present = old_unit ? old_unit : new_unit;
      if (present->active_state() != v1::ServiceUnit::FAILED) continue;
    }
    ServiceStateChange change;
    change.unit = name;
    if (old_unit) {
      change.old_active = active_state_name(old_unit->active_state());
      change.old_sub = old_unit->sub_state();
    }
    if (new_unit) {
      change.new_active = active_state_name(new_unit->active_state());
      change.new_sub = new_unit->sub_state();
    }
    out.services.push_back(std::move(change));
  }
}

// ------------------------------------------------------------------ filesystems

void diff_filesystems(const v1::Snapshot& older, const v1::Snapshot& newer, SnapshotChanges& out) {
  std::map<std::string, double> before;
  for (const auto& fs : older.hardware().filesystems()) {
    if (fs.has_used_percent()) before[fs.mount_point()] = fs.used_percent();
  }
  for (const auto& fs : newer.hardware().filesystems()) {
    auto it = before.find(fs.mount_point());
    if (it == before.end() || !fs.has_used_percent()) continue;
    const double old_used = it->second, new_used = fs.used_percent();
    const bool grew = new_used - old_used >= kFillGrowthPoints;
    const bool crossed = old_used < kFillThresholdPercent && new_used >= kFillThresholdPercent;
    if (grew || crossed) out.filesystems_filled.push_back({fs.mount_point(), old_used, new_used});
  }
  std::sort(out.filesystems_filled.begin(), out.filesystems_filled.end(),
            [](const auto& x, const auto& y) { return x.mount_point < y.mount_point; });
}

// ------------------------------------------------------------------ network

std::set<std::string> addresses_of(const v1::NetworkInterface& i) {
  std::set<std::string> out;
  for (const auto& a : i.addresses())
    out.insert(a.address() + "/" + std::to_string(a.prefix_length()));
  return out;
}

std::vector<std::string> minus(const std::set<std::string>& a, const std::set<std::string>& b) {
  std::vector<std::string> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

void diff_addresses(const v1::Snapshot& older, const v1::Snapshot& newer, SnapshotChanges& out) {
  if (!collected_both(older, newer, "interfaces")) return;
  const auto& a = older.network().interfaces();
  const auto& b = newer.network().interfaces();
  // Every Linux machine has at least a loopback interface.
  if (a.empty() || b.empty()) return;
  std::map<std::string, std::set<std::string>> before, after;
  for (const auto& i : a) before[i.name()] = addresses_of(i);
  for (const auto& i : b) after[i.name()] = addresses_of(i);
  std::set<std::string> names;
  for (const auto& [n, x] : before) names.insert(n);
  for (const auto& [n, x] : after) names.insert(n);
  for (const auto& name : names) {
    // An interface present on one side only (a dock, a VPN) has all its addresses changed.
    const auto& old_set = before[name];
    const auto& new_set = after[name];
    InterfaceAddressChange change{name, minus(new_set, old_set), minus(old_set, new_set)};
    if (!change.added.empty() || !change.removed.empty())
      out.addresses.push_back(std::move(change));
  }
}

std::optional<ValueChange> value_change(const std::string& a, const std::string& b) {
  if (a == b) return std::nullopt;
  return ValueChange{a, b};
}

void diff_routes_and_dns(const v1::Snapshot& older, const v1::Snapshot& newer,
                         SnapshotChanges& out) {
  // An empty gateway is a real state (no default route), so only the collector status and
  // the network section's presence tell "not reported" apart.
  if (collected_both(older, newer, "routes") && older.has_network() && newer.has_network()) {
    out.default_gateway =
        value_change(older.network().default_gateway(), newer.network().default_gateway());
    out.default_gateway_v6 =
        value_change(older.network().default_gateway_v6(), newer.network().default_gateway_v6());
  }
  if (collected_both(older, newer, "dns") && older.network().has_dns() &&
      newer.network().has_dns()) {
    auto servers = [](const v1::Dns& dns) {
      std::set<std::string> s(dns.nameservers().begin(), dns.nameservers().end());
      s.insert(dns.upstream_nameservers().begin(), dns.upstream_nameservers().end());
      return s;
    };
    auto before = servers(older.network().dns()), after = servers(newer.network().dns());
    if (before != after) out.dns_servers = SetChange{minus(after, before), minus(before, after)};
  }
}

// ------------------------------------------------------------------ system and hardware

std::optional<ValueChange> reported_change(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty()) return std::nullopt;
  return value_change(a, b);
}

void diff_system_and_hardware(const v1::Snapshot& older, const v1::Snapshot& newer,
                              SnapshotChanges& out) {
  out.kernel = reported_change(older.system().kernel_release(), newer.system().kernel_release());
  out.os = reported_change(older.system().os_pretty_name(), newer.system().os_pretty_name());
  out.cpu_model =
      reported_change(older.hardware().cpu().model_name(), newer.hardware().cpu().model_name());
  const auto a = older.hardware().memory().total_bytes();
  const auto b = newer.hardware().memory().total_bytes();
  if (a > 0 && b > 0) {
    const double diff = std::abs(static_cast<double>(a) - static_cast<double>(b));
    if (diff >= kMemoryChangeFraction * static_cast<double>(std::max(a, b)))
      out.memory_total = ByteCountChange{a, b};
  }
}

template <class T>
void sort_by_name(std::vector<T>& v) {
  std::sort(v.begin(), v.end(), [](const T& x, const T& y) {
    return std::tie(x.name, x.arch) < std::tie(y.name, y.arch);
  });
}

// ------------------------------------------------------------------ JSON

nlohmann::json or_null(const std::string& s) {
  return s.empty() ? nlohmann::json() : nlohmann::json(s);
}

double one_decimal(double v) { return std::round(v * 10.0) / 10.0; }

nlohmann::json change_json(const std::optional<ValueChange>& c) {
  if (!c) return nullptr;
  return {{"old", or_null(c->old_value)}, {"new", or_null(c->new_value)}};
}

nlohmann::json unit_state(const std::string& active, const std::string& sub) {
  if (active.empty()) return nullptr;
  return {{"active", active}, {"sub", sub}};
}

}  // namespace

bool SnapshotChanges::empty() const {
  return packages_installed.empty() && packages_removed.empty() && packages_updated.empty() &&
         services.empty() && filesystems_filled.empty() && addresses.empty() && !default_gateway &&
         !default_gateway_v6 && !dns_servers && !kernel && !os && !memory_total && !cpu_model;
}

SnapshotChanges diff_snapshots(const v1::Snapshot& older, const v1::Snapshot& newer) {
  SnapshotChanges out;
  diff_packages(older, newer, v1::Package::DPKG, "dpkg", out);
  diff_packages(older, newer, v1::Package::RPM, "rpm", out);
  sort_by_name(out.packages_installed);
  sort_by_name(out.packages_removed);
  sort_by_name(out.packages_updated);
  diff_services(older, newer, out);
  diff_filesystems(older, newer, out);
  diff_addresses(older, newer, out);
  diff_routes_and_dns(older, newer, out);
  diff_system_and_hardware(older, newer, out);
  return out;
}

nlohmann::json to_json(const SnapshotChanges& changes) {
  auto packages = [](const std::vector<PackageRef>& list) {
    auto a = nlohmann::json::array();
    for (const auto& p : list)
      a.push_back({{"name", p.name}, {"arch", p.arch}, {"version", p.version}});
    return a;
  };
  auto updated = nlohmann::json::array();
  for (const auto& p : changes.packages_updated) {
    updated.push_back({{"name", p.name},
                       {"arch", p.arch},
                       {"old_version", p.old_version},
                       {"new_version", p.new_version}});
  }
  auto services = nlohmann::json::array();
  for (const auto& s : changes.services) {
    services.push_back({{"unit", s.unit},
                        {"old", unit_state(s.old_active, s.old_sub)},
                        {"new", unit_state(s.new_active, s.new_sub)}});
  }
  auto filled = nlohmann::json::array();
  for (const auto& f : changes.filesystems_filled) {
    filled.push_back({{"mount_point", f.mount_point},
                      {"old_used_percent", one_decimal(f.old_used_percent)},
                      {"new_used_percent", one_decimal(f.new_used_percent)}});
  }
  auto addresses = nlohmann::json::array();
  for (const auto& a : changes.addresses) {
    addresses.push_back({{"interface", a.interface}, {"added", a.added}, {"removed", a.removed}});
  }
  nlohmann::json dns = nullptr;
  if (changes.dns_servers)
    dns = {{"added", changes.dns_servers->added}, {"removed", changes.dns_servers->removed}};
  nlohmann::json memory = nullptr;
  if (changes.memory_total)
    memory = {{"old_bytes", changes.memory_total->old_bytes},
              {"new_bytes", changes.memory_total->new_bytes}};
  return {
      {"software",
       {{"installed", packages(changes.packages_installed)},
        {"removed", packages(changes.packages_removed)},
        {"updated", updated}}},
      {"services", services},
      {"filesystems_filled", filled},
      {"network",
       {{"addresses", addresses},
        {"default_gateway", change_json(changes.default_gateway)},
        {"default_gateway_v6", change_json(changes.default_gateway_v6)},
        {"dns_servers", dns}}},
      {"system", {{"kernel", change_json(changes.kernel)}, {"os", change_json(changes.os)}}},
      {"hardware", {{"memory_total", memory}, {"cpu_model", change_json(changes.cpu_model)}}},
      {"empty", changes.empty()},
  };
}

}  // namespace triage::collector
