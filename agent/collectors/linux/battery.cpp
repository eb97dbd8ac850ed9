// Batteries and AC power. Source /sys/class/power_supply/*/ (type, status, capacity,
// energy_* in µWh or charge_* in µAh with voltage_min_design in µV, cycle_count). Peripheral
// batteries (scope "Device": mice, headsets) are left out. Linux; any user; cheap.
#include <algorithm>

#include "agent/collectors/linux/battery.hpp"
#include "agent/collectors/text.hpp"

namespace triage::agent {

v1::Battery::Status battery_status(std::string_view text) {
  if (text == "Charging") return v1::Battery::CHARGING;
  if (text == "Discharging") return v1::Battery::DISCHARGING;
  if (text == "Full") return v1::Battery::FULL;
  if (text == "Not charging") return v1::Battery::NOT_CHARGING;
  return v1::Battery::STATUS_UNKNOWN;
}

Result<void> collect_battery(CollectContext& ctx, v1::Snapshot& out) {
  const auto& fs = ctx.fs();
  auto supplies = fs.list_dir("/sys/class/power_supply");
  if (!supplies || supplies->empty()) {
    ctx.note("no power supplies reported");
    return {};
  }
  std::sort(supplies->begin(), supplies->end());
  auto* hw = out.mutable_hardware();
  for (const auto& name : *supplies) {
    std::string dir = "/sys/class/power_supply/" + name + "/";
    auto type = fs.read_attr(dir + "type").value_or("");
    if (type == "Mains" || type == "USB") {
      if (auto online = fs.read_uint(dir + "online")) {
        hw->set_on_ac_power(hw->on_ac_power() || *online == 1);
      }
      continue;
    }
    if (type != "Battery" || fs.read_attr(dir + "scope").value_or("") == "Device") continue;
    if (fs.read_uint(dir + "present").value_or(1) == 0) continue;
    auto* b = hw->add_batteries();
    b->set_name(name);
    b->set_manufacturer(fs.read_attr(dir + "manufacturer").value_or(""));
    b->set_model(fs.read_attr(dir + "model_name").value_or(""));
    b->set_technology(fs.read_attr(dir + "technology").value_or(""));
    b->set_status(battery_status(fs.read_attr(dir + "status").value_or("")));
    // µWh directly, or µAh times the design voltage (µV).
    auto full = fs.read_uint(dir + "energy_full");
    auto design = fs.read_uint(dir + "energy_full_design");
    auto now = fs.read_uint(dir + "energy_now");
    double scale = 1e-6;
    if (!full || !design) {
      full = fs.read_uint(dir + "charge_full");
      design = fs.read_uint(dir + "charge_full_design");
      now = fs.read_uint(dir + "charge_now");
      auto volts = fs.read_uint(dir + "voltage_min_design");
      scale = volts ? static_cast<double>(*volts) * 1e-12 : 0.0;
    }
    if (full && design && *design > 0) {
      b->set_health_percent(static_cast<float>(100.0 * *full / *design));
      if (scale > 0) {
        b->set_full_wh(static_cast<double>(*full) * scale);
        b->set_design_wh(static_cast<double>(*design) * scale);
      }
    }
    if (auto capacity = fs.read_uint(dir + "capacity")) {
      b->set_charge_percent(static_cast<float>(std::min<std::uint64_t>(*capacity, 100)));
    } else if (now && full && *full > 0) {
      b->set_charge_percent(static_cast<float>(std::min(100.0, 100.0 * *now / *full)));
    }
    if (auto cycles = fs.read_uint(dir + "cycle_count"); cycles && *cycles > 0) {
      b->set_cycle_count(static_cast<std::uint32_t>(*cycles));
    }
  }
  return {};
}

}  // namespace triage::agent
