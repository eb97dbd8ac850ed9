// Source: root\cimv2 Win32_VideoController (Name, AdapterCompatibility: the maker as the driver
// names it, DriverVersion, PNPDeviceID: the adapter's identity). Software adapters (Remote
// Desktop's indirect display, the Basic Render Driver) enumerate under SWD\ and ROOT\: they are
// no hardware and are left out.
#include "agent/collectors/windows_sources/windows_gpu.hpp"

#include <array>
#include <utility>

#include "agent/collectors/text.hpp"
#include "agent/collectors/windows_sources/win_values.hpp"

namespace triage::agent {
namespace {

constexpr std::size_t kMaxGpus = 32;
constexpr std::size_t kMaxText = 256;

/// The maker by the PCI vendor id of "PCI\\VEN_8086&DEV_...", for adapters whose driver does
/// not say (the inbox Basic Display driver calls itself "(Standard display types)").
std::string pci_vendor(std::string_view pnp) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 9> kVendors = {{
      {"1002", "Advanced Micro Devices, Inc."},
      {"102B", "Matrox Graphics, Inc."},
      {"10DE", "NVIDIA"},
      {"1234", "QEMU"},
      {"1414", "Microsoft"},
      {"15AD", "VMware"},
      {"19E5", "Huawei"},
      {"1A03", "ASPEED Technology, Inc."},
      {"8086", "Intel Corporation"},
  }};
  if (!starts_with_nocase(pnp, "PCI\\VEN_") || pnp.size() < 12) return {};
  auto id = pnp.substr(8, 4);
  for (const auto& [code, name] : kVendors) {
    if (starts_with_nocase(id, code)) return std::string(name);
  }
  return {};
}

}  // namespace

Result<void> collect_windows_gpu(CollectContext& ctx, v1::Snapshot& out) {
  WinHost* win = windows_host(ctx);
  if (!win) return {};
  auto rows =
      win->wmi("root\\cimv2", "Win32_VideoController",
               {"DeviceID", "Name", "AdapterCompatibility", "DriverVersion", "PNPDeviceID"});
  if (!rows) return fail("listing the display adapters", rows.error());
  auto* hw = out.mutable_hardware();
  for (const auto& row : *rows) {
    if (!ctx.within_budget()) return ctx.over_budget();
    if (static_cast<std::size_t>(hw->gpus_size()) >= kMaxGpus) break;
    auto pnp = json_text(row, "PNPDeviceID");
    if (starts_with_nocase(pnp, "SWD\\") || starts_with_nocase(pnp, "ROOT\\")) continue;
    auto name = json_text(row, "Name");
    if (name.empty() && pnp.empty()) continue;
    auto* gpu = hw->add_gpus();
    // The PnP instance is stable across reboots; DeviceID ("VideoController1") is not.
    gpu->set_slot(clean_text(pnp.empty() ? json_text(row, "DeviceID") : pnp, kMaxText));
    gpu->set_model(clean_text(trim(name), kMaxText));
    auto vendor = std::string(trim(json_text(row, "AdapterCompatibility")));
    if (vendor.empty() || vendor.front() == '(') vendor = pci_vendor(pnp);
    gpu->set_vendor(clean_text(vendor, kMaxText));
    gpu->set_driver(clean_text(trim(json_text(row, "DriverVersion")), kMaxText));
  }
  return {};
}

}  // namespace triage::agent
