// Sources: root\WMI BatteryStaticData (DesignedCapacity in mWh, ManufactureName, DeviceName,
// Chemistry as four characters, Capabilities), BatteryFullChargedCapacity, BatteryCycleCount,
// BatteryStatus (PowerOnline, Charging, Discharging, RemainingCapacity) — the battery miniclass
// driver's own figures, one instance per battery, joined by InstanceName — and root\cimv2
// Win32_Battery (EstimatedChargeRemaining, BatteryStatus) where the driver gives none of them;
// api "power_status" (GetSystemPowerStatus) for the power source of a machine without them.
// Batteries are named BAT0, BAT1... in InstanceName order, as Linux names them.
#include "agent/collectors/windows_sources/windows_battery.hpp"

#include <algorithm>
#include <map>

#include "agent/collectors/text.hpp"
#include "agent/collectors/windows_sources/win_values.hpp"

namespace triage::agent {
namespace {

constexpr std::size_t kMaxBatteries = 8;
constexpr std::size_t kMaxText = 128;
// BATTERY_CAPACITY_RELATIVE: capacities are in the driver's own units, not mWh.
constexpr std::uint64_t kCapacityRelative = 0x40000000;
using v1::Battery;

using Rows = std::vector<nlohmann::json>;

/// The rows of a root\WMI battery class by InstanceName; empty when the class is missing.
std::map<std::string, nlohmann::json> by_instance(WinHost& win, std::string_view wmi_class,
                                                  std::vector<std::string> properties) {
  properties.push_back("InstanceName");
  std::map<std::string, nlohmann::json> out;
  auto rows = win.wmi("root\\WMI", wmi_class, properties);
  if (!rows) return out;
  for (auto& row : *rows) {
    if (out.size() >= kMaxBatteries) break;
    auto name = json_text(row, "InstanceName");
    if (!name.empty()) out.emplace(to_lower(name), std::move(row));
  }
  return out;
}

/// BatteryStaticData.Chemistry: four ASCII characters in a little-endian number ("LiP", "LION").
std::string technology(std::uint64_t chemistry) {
  std::string code;
  for (int i = 0; i < 4; ++i) {
    char c = static_cast<char>((chemistry >> (8 * i)) & 0xFF);
    if (c >= 0x20 && c < 0x7F) code += c;
  }
  code = std::string(trim(code));
  auto lowered = to_lower(code);
  if (lowered == "lion" || lowered == "li-i" || lowered == "li") return "Li-ion";
  if (lowered == "lip" || lowered == "lipo") return "Li-poly";
  if (lowered == "pbac") return "Lead acid";
  return code;
}

/// Win32_Battery.BatteryStatus.
Battery::Status status_from_cim(std::uint64_t code) {
  switch (code) {
    case 1:
    case 4:
    case 5:
      return Battery::DISCHARGING;
    case 2:
      return Battery::NOT_CHARGING;
    case 3:
      return Battery::FULL;
    case 6:
    case 7:
    case 8:
    case 9:
      return Battery::CHARGING;
    default:
      return Battery::STATUS_UNKNOWN;
  }
}

}  // namespace

Result<void> collect_windows_battery(CollectContext& ctx, v1::Snapshot& out) {
  WinHost* win = windows_host(ctx);
  if (!win) return {};
  auto statics = by_instance(
      *win, "BatteryStaticData",
      {"DesignedCapacity", "ManufactureName", "DeviceName", "Chemistry", "Capabilities"});
  auto full = by_instance(*win, "BatteryFullChargedCapacity", {"FullChargedCapacity"});
  auto cycles = by_instance(*win, "BatteryCycleCount", {"CycleCount"});
  auto status = by_instance(*win, "BatteryStatus",
                            {"PowerOnline", "Charging", "Discharging", "RemainingCapacity"});
  auto cim = win->wmi("root\\cimv2", "Win32_Battery",
                      {"DeviceID", "Name", "EstimatedChargeRemaining", "BatteryStatus"});
  Rows cim_rows = cim ? std::move(*cim) : Rows{};
  if (cim_rows.size() > kMaxBatteries) cim_rows.resize(kMaxBatteries);

  // Every instance any root\WMI class names is a battery (a driver may lack the static data).
  std::vector<std::string> instances;
  for (const auto* table : {&statics, &full, &status}) {
    for (const auto& [name, row] : *table) {
      if (std::find(instances.begin(), instances.end(), name) == instances.end() &&
          instances.size() < kMaxBatteries) {
        instances.push_back(name);
      }
    }
  }
  std::sort(instances.begin(), instances.end());

  auto* hw = out.mutable_hardware();
  auto row_of = [](const std::map<std::string, nlohmann::json>& table, const std::string& name) {
    auto it = table.find(name);
    return it == table.end() ? nlohmann::json::object() : it->second;
  };
  for (std::size_t i = 0; i < instances.size(); ++i) {
    if (!ctx.within_budget()) return ctx.over_budget();
    const auto& name = instances[i];
    auto st = row_of(statics, name), fc = row_of(full, name), cc = row_of(cycles, name),
         bs = row_of(status, name);
    auto* b = hw->add_batteries();
    b->set_name("BAT" + std::to_string(i));
    b->set_manufacturer(clean_text(trim(json_text(st, "ManufactureName")), kMaxText));
    b->set_model(clean_text(trim(json_text(st, "DeviceName")), kMaxText));
    if (auto chemistry = json_uint(st, "Chemistry")) b->set_technology(technology(*chemistry));

    auto design = json_uint(st, "DesignedCapacity");
    auto full_charge = json_uint(fc, "FullChargedCapacity");
    bool relative = json_uint(st, "Capabilities").value_or(0) & kCapacityRelative;
    if (design && full_charge && *design > 0) {
      b->set_health_percent(static_cast<float>(100.0 * *full_charge / *design));
      if (!relative) {
        b->set_full_wh(static_cast<double>(*full_charge) / 1000.0);
        b->set_design_wh(static_cast<double>(*design) / 1000.0);
      }
    }
    if (auto count = json_uint(cc, "CycleCount"); count && *count > 0 && *count < 100000)
      b->set_cycle_count(static_cast<std::uint32_t>(*count));

    auto remaining = json_uint(bs, "RemainingCapacity");
    if (remaining && full_charge && *full_charge > 0) {
      b->set_charge_percent(static_cast<float>(std::min(100.0, 100.0 * *remaining / *full_charge)));
    } else if (cim_rows.size() == instances.size()) {
      if (auto estimate = json_uint(cim_rows[i], "EstimatedChargeRemaining"))
        b->set_charge_percent(static_cast<float>(std::min<std::uint64_t>(*estimate, 100)));
    }
    auto online = json_bool(bs, "PowerOnline");
    if (json_bool(bs, "Charging").value_or(false)) {
      b->set_status(Battery::CHARGING);
    } else if (json_bool(bs, "Discharging").value_or(false)) {
      b->set_status(Battery::DISCHARGING);
    } else if (online.value_or(false)) {
      // On AC and idle: full, or held below full by a charge threshold.
      b->set_status(b->has_charge_percent() && b->charge_percent() >= 99.0F
                        ? Battery::FULL
                        : Battery::NOT_CHARGING);
    } else if (cim_rows.size() == instances.size()) {
      b->set_status(status_from_cim(json_uint(cim_rows[i], "BatteryStatus").value_or(0)));
    }
    if (online) hw->set_on_ac_power(hw->on_ac_power() || *online);
  }

  if (!instances.empty()) return {};
  // No battery driver data: the power source from the system, for desktops and servers too.
  if (auto power = win->api("power_status")) {
    auto line = json_uint(*power, "ac_line_status");
    if (line == 0u || line == 1u) hw->set_on_ac_power(*line == 1);
  }
  // No battery driver data: Win32_Battery alone (charge and state only).
  for (std::size_t i = 0; i < cim_rows.size(); ++i) {
    const auto& row = cim_rows[i];
    auto* b = hw->add_batteries();
    b->set_name("BAT" + std::to_string(i));
    b->set_model(clean_text(trim(json_text(row, "Name")), kMaxText));
    if (auto estimate = json_uint(row, "EstimatedChargeRemaining"))
      b->set_charge_percent(static_cast<float>(std::min<std::uint64_t>(*estimate, 100)));
    auto code = json_uint(row, "BatteryStatus").value_or(0);
    b->set_status(status_from_cim(code));
    if (!hw->has_on_ac_power() && (code == 2 || code == 3 || (code >= 6 && code <= 9)))
      hw->set_on_ac_power(true);
  }
  if (cim_rows.empty()) ctx.note("no battery");
  return {};
}

}  // namespace triage::agent
