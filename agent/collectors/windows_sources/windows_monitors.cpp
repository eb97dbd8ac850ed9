// Source: root\WMI WmiMonitorID (InstanceName: the display's PnP instance plus "_0";
// ManufacturerName, ProductCodeID, UserFriendlyName, SerialNumberID: the EDID's text as arrays
// of numbers, one character each, NUL padded; YearOfManufacture; Active: connected now).
// Internal laptop panels usually have no friendly name: their model is maker + product code.
#include "agent/collectors/windows_sources/windows_monitors.hpp"

#include <array>
#include <utility>

#include "agent/collectors/text.hpp"
#include "agent/collectors/windows_sources/win_values.hpp"

namespace triage::agent {
namespace {

constexpr std::size_t kMaxMonitors = 32;
constexpr std::size_t kMaxChars = 64;

/// A WmiMonitorID text: characters as numbers up to the first 0. A string is taken as is.
std::string edid_text(const nlohmann::json& row, std::string_view key) {
  auto it = row.find(key);
  if (it == row.end()) return {};
  if (it->is_string()) return clean_text(trim(it->get<std::string>()), kMaxChars);
  if (!it->is_array()) return {};
  std::string text;
  for (const auto& c : *it) {
    if (!c.is_number_unsigned() && !c.is_number_integer()) break;
    auto v = c.get<std::int64_t>();
    if (v <= 0 || text.size() >= kMaxChars) break;
    // EDID strings are ASCII; anything else is shown as a replacement.
    text += v < 0x80 ? static_cast<char>(v) : '?';
  }
  return clean_text(trim(text), kMaxChars);
}

/// The makers of the PnP ids monitors carry most often (the full list is the UEFI PNP ID
/// registry); others are shown as their three letters.
std::string maker_name(const std::string& pnp_id) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 20> kMakers = {{
      {"ACI", "ASUS"},
      {"ACR", "Acer"},
      {"AOC", "AOC"},
      {"AUO", "AU Optronics"},
      {"AUS", "ASUS"},
      {"BNQ", "BenQ"},
      {"BOE", "BOE"},
      {"CMN", "Innolux"},
      {"DEL", "Dell"},
      {"ENC", "EIZO"},
      {"GSM", "LG Electronics"},
      {"HPN", "HP"},
      {"HWP", "HP"},
      {"IVM", "iiyama"},
      {"LEN", "Lenovo"},
      {"LGD", "LG Display"},
      {"MSI", "MSI"},
      {"PHL", "Philips"},
      {"SAM", "Samsung"},
      {"SHP", "Sharp"},
  }};
  for (const auto& [id, name] : kMakers) {
    if (id == pnp_id) return std::string(name);
  }
  return pnp_id;
}

}  // namespace

Result<void> collect_windows_monitors(CollectContext& ctx, v1::Snapshot& out) {
  WinHost* win = windows_host(ctx);
  if (!win) return {};
  auto rows = win->wmi("root\\WMI", "WmiMonitorID",
                       {"InstanceName", "ManufacturerName", "ProductCodeID", "UserFriendlyName",
                        "SerialNumberID", "YearOfManufacture", "Active"});
  if (!rows) {
    if (rows.error().code == ErrorCode::kNotFound) {
      ctx.note("no monitor reported");
      return {};
    }
    return fail("listing the monitors", rows.error());
  }
  auto* hw = out.mutable_hardware();
  for (const auto& row : *rows) {
    if (!ctx.within_budget()) return ctx.over_budget();
    if (static_cast<std::size_t>(hw->monitors_size()) >= kMaxMonitors) break;
    auto instance = json_text(row, "InstanceName");
    if (instance.empty()) continue;
    // "..._0": the WMI instance of the PnP device; the device itself is what stays the same.
    if (auto underscore = instance.rfind('_');
        underscore != std::string::npos && underscore + 1 < instance.size() &&
        instance.find_first_not_of("0123456789", underscore + 1) == std::string::npos) {
      instance.resize(underscore);
    }
    auto maker = maker_name(edid_text(row, "ManufacturerName"));
    auto model = edid_text(row, "UserFriendlyName");
    if (model.empty()) {
      auto code = edid_text(row, "ProductCodeID");
      model = code.empty() ? std::string() : maker + " " + code;
    }
    auto* m = hw->add_monitors();
    m->set_id(clean_text(instance, 256));
    m->set_manufacturer(maker);
    m->set_model(model);
    auto serial = edid_text(row, "SerialNumberID");
    // Panels without a serial in their EDID say "0".
    m->set_serial(serial == "0" ? std::string() : serial);
    if (auto year = json_uint(row, "YearOfManufacture"); year && *year >= 1990 && *year <= 2100)
      m->set_year_of_manufacture(static_cast<std::uint32_t>(*year));
    m->set_active(json_bool(row, "Active").value_or(true));
  }
  if (rows->empty()) ctx.note("no monitor reported");
  return {};
}

}  // namespace triage::agent
