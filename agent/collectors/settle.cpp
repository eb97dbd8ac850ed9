#include "agent/collectors/settle.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <tuple>

namespace triage::agent {
namespace {

using google::protobuf::RepeatedPtrField;

/// |a - b| within `absolute`, or within `share` of the larger magnitude.
bool near(double a, double b, double absolute, double share = 0.0) {
  return std::abs(a - b) <= std::max(absolute, share * std::max(std::abs(a), std::abs(b)));
}

/// Both unset, or both set and near.
template <typename Get, typename Has>
bool near_optional(Has has_old, Get old_value, Has has_new, Get new_value, double absolute,
                   double share = 0.0) {
  if (has_old != has_new) return false;
  return !has_old || near(old_value, new_value, absolute, share);
}

/// Elements of a keyed repeated field by key.
template <typename T, typename KeyFn>
auto index_by(const RepeatedPtrField<T>& items, KeyFn key) {
  std::map<decltype(key(items.Get(0))), const T*> out;
  for (const auto& item : items) out.emplace(key(item), &item);
  return out;
}

void settle_time_sync(const v1::TimeSync& old_t, v1::TimeSync& t, const SettleThresholds& l) {
  if (old_t.has_synchronized() != t.has_synchronized() ||
      old_t.synchronized() != t.synchronized() || old_t.service() != t.service())
    return;
  if (!near_optional(old_t.has_offset_ms(), old_t.offset_ms(), t.has_offset_ms(), t.offset_ms(),
                     l.clock_ms) ||
      !near_optional(old_t.has_max_error_ms(), old_t.max_error_ms(), t.has_max_error_ms(),
                     t.max_error_ms(), l.clock_ms, 0.5))
    return;
  t = old_t;
}

void settle_memory(const v1::Memory& old_m, v1::Memory& m, const SettleThresholds& l) {
  if (old_m.total_bytes() != m.total_bytes() || old_m.swap_total_bytes() != m.swap_total_bytes())
    return;
  if (!near_optional(old_m.has_used_percent(), double(old_m.used_percent()), m.has_used_percent(),
                     double(m.used_percent()), l.memory_points) ||
      !near_optional(old_m.has_swap_used_percent(), double(old_m.swap_used_percent()),
                     m.has_swap_used_percent(), double(m.swap_used_percent()), l.memory_points))
    return;
  // Low memory is tracked closely: a small available amount must not drift by a large share.
  if (!near(double(old_m.available_bytes()), double(m.available_bytes()), 0.0,
            l.memory_available_share))
    return;
  m = old_m;
}

void settle_filesystems(const v1::HardwareInfo& old_h, v1::HardwareInfo& h,
                        const SettleThresholds& l) {
  auto before =
      index_by(old_h.filesystems(), [](const v1::Filesystem& f) { return f.mount_point(); });
  for (auto& fs : *h.mutable_filesystems()) {
    auto it = before.find(fs.mount_point());
    if (it == before.end()) continue;
    const v1::Filesystem& old_fs = *it->second;
    if (old_fs.size_bytes() != fs.size_bytes() || old_fs.inodes_total() != fs.inodes_total())
      continue;
    if (!near_optional(old_fs.has_used_percent(), double(old_fs.used_percent()),
                       fs.has_used_percent(), double(fs.used_percent()), l.filesystem_points) ||
        !near_optional(old_fs.has_inodes_used_percent(), double(old_fs.inodes_used_percent()),
                       fs.has_inodes_used_percent(), double(fs.inodes_used_percent()),
                       l.filesystem_points) ||
        !near(double(old_fs.free_bytes()), double(fs.free_bytes()), 0.0, l.filesystem_free_share))
      continue;
    if (old_fs.has_used_bytes()) fs.set_used_bytes(old_fs.used_bytes());
    if (old_fs.has_free_bytes()) fs.set_free_bytes(old_fs.free_bytes());
    if (old_fs.has_used_percent()) fs.set_used_percent(old_fs.used_percent());
    if (old_fs.has_inodes_used()) fs.set_inodes_used(old_fs.inodes_used());
    if (old_fs.has_inodes_used_percent()) fs.set_inodes_used_percent(old_fs.inodes_used_percent());
  }
}

void settle_block_devices(const v1::HardwareInfo& old_h, v1::HardwareInfo& h,
                          const SettleThresholds& l) {
  auto before = index_by(old_h.block_devices(), [](const v1::BlockDevice& d) { return d.name(); });
  for (auto& dev : *h.mutable_block_devices()) {
    auto it = before.find(dev.name());
    if (it == before.end() || !dev.has_smart() || !it->second->has_smart()) continue;
    const auto& old_s = it->second->smart();
    auto* s = dev.mutable_smart();
    if (near_optional(old_s.has_temperature_c(), double(old_s.temperature_c()),
                      s->has_temperature_c(), double(s->temperature_c()), l.temperature_degrees) &&
        old_s.has_temperature_c()) {
      s->set_temperature_c(old_s.temperature_c());
    }
    // An hour counter: only the SMART verdict and the error counters say something.
    if (old_s.has_power_on_hours() && s->has_power_on_hours())
      s->set_power_on_hours(old_s.power_on_hours());
  }
}

void settle_sensors(const v1::HardwareInfo& old_h, v1::HardwareInfo& h, const SettleThresholds& l) {
  if (near_optional(old_h.has_cpu_temperature_c(), double(old_h.cpu_temperature_c()),
                    h.has_cpu_temperature_c(), double(h.cpu_temperature_c()),
                    l.temperature_degrees) &&
      old_h.has_cpu_temperature_c()) {
    h.set_cpu_temperature_c(old_h.cpu_temperature_c());
  }
  auto before = index_by(old_h.sensors(),
                         [](const v1::Sensor& s) { return std::make_tuple(s.chip(), s.label()); });
  for (auto& sensor : *h.mutable_sensors()) {
    auto it = before.find(std::make_tuple(sensor.chip(), sensor.label()));
    if (it == before.end() || it->second->kind() != sensor.kind()) continue;
    const bool fan = sensor.kind() == v1::Sensor::FAN;
    if (near(it->second->value(), sensor.value(), fan ? 0.0 : l.temperature_degrees,
             fan ? l.fan_share : 0.0))
      sensor.set_value(it->second->value());
  }
}

void settle_batteries(const v1::HardwareInfo& old_h, v1::HardwareInfo& h) {
  auto before = index_by(old_h.batteries(), [](const v1::Battery& b) { return b.name(); });
  for (auto& battery : *h.mutable_batteries()) {
    auto it = before.find(battery.name());
    if (it == before.end() || it->second->status() != battery.status()) continue;
    const auto& old_b = *it->second;
    if (near_optional(old_b.has_charge_percent(), double(old_b.charge_percent()),
                      battery.has_charge_percent(), double(battery.charge_percent()), 5.0) &&
        old_b.has_charge_percent())
      battery.set_charge_percent(old_b.charge_percent());
  }
}

/// A process whose arrival in or departure from the top list is worth a report.
bool material(const v1::Process& p, const SettleThresholds& l) {
  return p.cpu_percent() >= l.process_material_percent ||
         p.memory_percent() >= l.process_material_percent;
}

/// `p` with the reported gauges of the same process where they did not move materially.
void settle_process(const v1::Process& old_p, v1::Process& p, const SettleThresholds& l) {
  // Cumulative CPU time grows on every snapshot; cpu_percent is what says "busy".
  p.set_cpu_time_ms(old_p.cpu_time_ms());
  if (near(old_p.cpu_percent(), p.cpu_percent(), l.process_cpu_points))
    p.set_cpu_percent(old_p.cpu_percent());
  if (near(double(old_p.rss_bytes()), double(p.rss_bytes()), 0.0, l.process_rss_share)) {
    p.set_rss_bytes(old_p.rss_bytes());
    p.set_memory_percent(old_p.memory_percent());
  }
  // Running vs sleeping flickers; stuck (D) and zombie (Z) are what a helpdesk looks for.
  auto flicker = [](const std::string& s) { return s == "R" || s == "S" || s == "I"; };
  if (flicker(old_p.state()) && flicker(p.state())) p.set_state(old_p.state());
}

void settle_processes(const v1::SoftwareInfo& old_s, v1::SoftwareInfo& s,
                      const SettleThresholds& l) {
  auto before = index_by(old_s.top_processes(), [](const v1::Process& p) { return p.pid(); });
  auto after = index_by(s.top_processes(), [](const v1::Process& p) { return p.pid(); });
  // What a helpdesk reads in the list is which programs are busy or big, not their pids, so
  // the list is merged program by program: a listed process still running keeps its place
  // (gauges settled); one that ended keeps its entry while its program is still in the list (a
  // build's compiler processes replacing each other), else it leaves; a process of a program
  // not listed yet enters only when it is busy or big.
  auto names = [](const v1::SoftwareInfo& info) {
    std::set<std::string> out;
    for (const auto& p : info.top_processes()) out.insert(p.name());
    return out;
  };
  const auto names_before = names(old_s), names_after = names(s);
  RepeatedPtrField<v1::Process> merged;
  for (const auto& old_p : old_s.top_processes()) {
    if (auto it = after.find(old_p.pid()); it != after.end()) {
      auto* p = merged.Add();
      *p = *it->second;
      settle_process(old_p, *p, l);
    } else if (names_after.contains(old_p.name())) {
      *merged.Add() = old_p;
    }
  }
  for (const auto& p : s.top_processes()) {
    if (!before.contains(p.pid()) && !names_before.contains(p.name()) && material(p, l))
      *merged.Add() = p;
  }
  // Many ended processes of one program could pile up: then the fresh list, gauges settled.
  if (merged.size() > 2 * s.top_processes_size()) {
    for (auto& p : *s.mutable_top_processes()) {
      if (auto it = before.find(p.pid()); it != before.end()) settle_process(*it->second, p, l);
    }
  } else {
    s.mutable_top_processes()->Swap(&merged);
  }

  if (!old_s.has_process_summary() || !s.has_process_summary()) return;
  const auto& old_sum = old_s.process_summary();
  auto* sum = s.mutable_process_summary();
  if (old_sum.sample_ms() == sum->sample_ms() && near(old_sum.total(), sum->total(), 5, 0.1) &&
      near(old_sum.threads(), sum->threads(), 20, 0.1) &&
      near(old_sum.running(), sum->running(), 2, 0.5) &&
      near(old_sum.zombies(), sum->zombies(), 2) && near(old_sum.blocked(), sum->blocked(), 2)) {
    *sum = old_sum;
  }
}

void settle_interfaces(const v1::NetworkInfo& old_n, v1::NetworkInfo& n) {
  auto before =
      index_by(old_n.interfaces(), [](const v1::NetworkInterface& i) { return i.name(); });
  for (auto& iface : *n.mutable_interfaces()) {
    auto it = before.find(iface.name());
    if (it == before.end()) continue;
    const auto& old_i = *it->second;
    if (near_optional(old_i.has_wifi_signal_dbm(), double(old_i.wifi_signal_dbm()),
                      iface.has_wifi_signal_dbm(), double(iface.wifi_signal_dbm()), 5.0) &&
        near_optional(old_i.has_wifi_link_quality_percent(),
                      double(old_i.wifi_link_quality_percent()),
                      iface.has_wifi_link_quality_percent(),
                      double(iface.wifi_link_quality_percent()), 10.0)) {
      if (old_i.has_wifi_signal_dbm()) iface.set_wifi_signal_dbm(old_i.wifi_signal_dbm());
      if (old_i.has_wifi_link_quality_percent())
        iface.set_wifi_link_quality_percent(old_i.wifi_link_quality_percent());
    }
  }
}

void settle_probes(const v1::NetworkInfo& old_n, v1::NetworkInfo& n, const SettleThresholds& l) {
  auto before = index_by(old_n.probes(), [](const v1::Probe& p) {
    return std::make_tuple(int(p.kind()), p.target());
  });
  for (auto& probe : *n.mutable_probes()) {
    auto it = before.find(std::make_tuple(int(probe.kind()), probe.target()));
    if (it == before.end()) continue;
    const auto& old_p = *it->second;
    if (old_p.result() != probe.result()) continue;
    if (old_p.has_latency_ms() &&
        near_optional(old_p.has_latency_ms(), old_p.latency_ms(), probe.has_latency_ms(),
                      probe.latency_ms(), l.latency_ms, l.latency_share))
      probe.set_latency_ms(old_p.latency_ms());
  }
}

void settle_load(const v1::Load& old_l, v1::Load& load, const SettleThresholds& l) {
  if (old_l.cpu_count() != load.cpu_count()) return;
  if (near(old_l.load1(), load.load1(), l.load_absolute, l.load_share) &&
      near(old_l.load5(), load.load5(), l.load_absolute, l.load_share) &&
      near(old_l.load15(), load.load15(), l.load_absolute, l.load_share))
    load = old_l;
}

void settle_stall(const v1::PressureStall& old_p, v1::PressureStall& p, double points) {
  if (near(old_p.avg10(), p.avg10(), points) && near(old_p.avg60(), p.avg60(), points) &&
      near(old_p.avg300(), p.avg300(), points))
    p = old_p;  // including total_us, a counter that grows on every read
}

void settle_pressure(const v1::Pressure& old_p, v1::Pressure& p, const SettleThresholds& l) {
  using Has = bool (v1::Pressure::*)() const;
  using Get = const v1::PressureStall& (v1::Pressure::*)() const;
  using Mutable = v1::PressureStall* (v1::Pressure::*)();
  struct Line {
    Has has;
    Get get;
    Mutable mut;
  };
  const Line lines[] = {
      {&v1::Pressure::has_cpu_some, &v1::Pressure::cpu_some, &v1::Pressure::mutable_cpu_some},
      {&v1::Pressure::has_memory_some, &v1::Pressure::memory_some,
       &v1::Pressure::mutable_memory_some},
      {&v1::Pressure::has_memory_full, &v1::Pressure::memory_full,
       &v1::Pressure::mutable_memory_full},
      {&v1::Pressure::has_io_some, &v1::Pressure::io_some, &v1::Pressure::mutable_io_some},
      {&v1::Pressure::has_io_full, &v1::Pressure::io_full, &v1::Pressure::mutable_io_full}};
  for (const auto& line : lines) {
    if ((old_p.*line.has)() && (p.*line.has)())
      settle_stall((old_p.*line.get)(), *(p.*line.mut)(), l.pressure_points);
  }
}

/// Collector timings are the agent's own cost, not the machine's state: they travel when the
/// outcome or message of the same collector changes (and in every full snapshot).
void settle_collectors(const v1::Snapshot& reported, v1::Snapshot& fresh) {
  auto before =
      index_by(reported.collectors(), [](const v1::CollectorStatus& c) { return c.name(); });
  for (auto& status : *fresh.mutable_collectors()) {
    auto it = before.find(status.name());
    if (it == before.end()) continue;
    const auto& old_c = *it->second;
    if (old_c.outcome() == status.outcome() && old_c.message() == status.message() &&
        old_c.category() == status.category() &&
        old_c.retry_after_unix_ms() == status.retry_after_unix_ms()) {
      status = old_c;
    }
  }
}

}  // namespace

void settle_volatile(const v1::Snapshot& reported, v1::Snapshot& fresh,
                     const SettleThresholds& limits) {
  const auto& l = limits;
  if (reported.system().has_time_sync() && fresh.system().has_time_sync())
    settle_time_sync(reported.system().time_sync(), *fresh.mutable_system()->mutable_time_sync(),
                     l);
  if (reported.has_hardware() && fresh.has_hardware()) {
    const auto& old_h = reported.hardware();
    auto* h = fresh.mutable_hardware();
    if (old_h.has_cpu() && h->has_cpu() && old_h.cpu().has_current_mhz() &&
        h->cpu().has_current_mhz() &&
        near(old_h.cpu().current_mhz(), h->cpu().current_mhz(), 0.0, 0.25))
      h->mutable_cpu()->set_current_mhz(old_h.cpu().current_mhz());
    if (old_h.has_memory() && h->has_memory())
      settle_memory(old_h.memory(), *h->mutable_memory(), l);
    settle_filesystems(old_h, *h, l);
    settle_block_devices(old_h, *h, l);
    settle_sensors(old_h, *h, l);
    settle_batteries(old_h, *h);
  }
  if (reported.has_software() && fresh.has_software())
    settle_processes(reported.software(), *fresh.mutable_software(), l);
  if (reported.has_network() && fresh.has_network()) {
    settle_interfaces(reported.network(), *fresh.mutable_network());
    settle_probes(reported.network(), *fresh.mutable_network(), l);
  }
  if (reported.has_health() && fresh.has_health()) {
    const auto& old_h = reported.health();
    auto* h = fresh.mutable_health();
    if (old_h.has_load() && h->has_load()) settle_load(old_h.load(), *h->mutable_load(), l);
    if (old_h.has_pressure() && h->has_pressure())
      settle_pressure(old_h.pressure(), *h->mutable_pressure(), l);
  }
  settle_collectors(reported, fresh);
}

}  // namespace triage::agent
