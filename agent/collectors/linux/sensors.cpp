// Temperatures and fans. Source /sys/class/hwmon/hwmon*/{name,temp*_input,temp*_label,temp*_max,
// temp*_crit,fan*_input}; the CPU temperature is the hottest coretemp/k10temp/zenpower/
// cpu_thermal reading. Linux; any user; a few files per sensor (at most 64 sensors).
#include <algorithm>

#include "agent/collectors/linux/sensors.hpp"
#include "agent/collectors/text.hpp"

namespace triage::agent {
namespace {

bool is_cpu_chip(std::string_view chip) {
  return chip == "coretemp" || chip == "k10temp" || chip == "zenpower" || chip == "cpu_thermal" ||
         chip == "k8temp" || chip == "via_cputemp";
}

/// "temp1_input" -> ("temp", "1"); nullopt for other attributes.
std::optional<std::pair<std::string, std::string>> input_attr(std::string_view name) {
  if (!name.ends_with("_input")) return std::nullopt;
  auto base = name.substr(0, name.size() - 6);
  for (std::string_view prefix : {"temp", "fan"}) {
    if (base.starts_with(prefix) && to_uint(base.substr(prefix.size()))) {
      return std::make_pair(std::string(prefix), std::string(base.substr(prefix.size())));
    }
  }
  return std::nullopt;
}

}  // namespace

Result<void> collect_sensors(CollectContext& ctx, v1::Snapshot& out) {
  const auto& fs = ctx.fs();
  auto chips = fs.list_dir("/sys/class/hwmon");
  if (!chips || chips->empty()) {
    ctx.unavailable("no hardware sensors exposed (/sys/class/hwmon empty: VM or container)");
    return {};
  }
  std::sort(chips->begin(), chips->end());
  auto* hw = out.mutable_hardware();
  for (const auto& chip_dir : *chips) {
    if (!ctx.within_budget()) return ctx.over_budget();
    std::string dir = "/sys/class/hwmon/" + chip_dir + "/";
    auto chip = fs.read_attr(dir + "name").value_or(chip_dir);
    auto attrs = fs.list_dir(dir);
    if (!attrs) continue;
    std::sort(attrs->begin(), attrs->end());
    for (const auto& attr : *attrs) {
      auto in = input_attr(attr);
      if (!in || hw->sensors_size() >= 64) continue;
      auto raw = to_int(fs.read_attr(dir + attr).value_or(""));
      if (!raw) continue;  // unreadable or "N/A"
      std::string stem = in->first + in->second;
      auto* s = hw->add_sensors();
      s->set_chip(chip);
      s->set_label(fs.read_attr(dir + stem + "_label").value_or(stem));
      if (in->first == "temp") {
        s->set_kind(v1::Sensor::TEMPERATURE);
        s->set_value(static_cast<double>(*raw) / 1000.0);  // millidegrees
        if (auto v = to_int(fs.read_attr(dir + stem + "_max").value_or("")); v && *v > 0)
          s->set_high(*v / 1000.0);
        if (auto v = to_int(fs.read_attr(dir + stem + "_crit").value_or("")); v && *v > 0)
          s->set_critical(*v / 1000.0);
        if (is_cpu_chip(chip) &&
            (!hw->has_cpu_temperature_c() || s->value() > hw->cpu_temperature_c())) {
          hw->set_cpu_temperature_c(static_cast<float>(s->value()));
        }
      } else {
        s->set_kind(v1::Sensor::FAN);
        s->set_value(static_cast<double>(*raw));
      }
    }
  }
  return {};
}

}  // namespace triage::agent
