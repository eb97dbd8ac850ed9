// Sources: root\CIMV2\Security\MicrosoftTpm Win32_Tpm (IsEnabled_InitialValue,
// IsActivated_InitialValue, SpecVersion, ManufacturerIdTxt; no instance when the machine has
// no TPM or it is off in the firmware) and UEFISecureBootEnabled of
// HKLM\SYSTEM\CurrentControlSet\Control\SecureBoot\State (absent after a legacy BIOS boot).
#include "agent/collectors/windows_sources/windows_tpm_secure_boot.hpp"

#include "agent/collectors/text.hpp"
#include "agent/collectors/windows_sources/win_values.hpp"

namespace triage::agent {
namespace {

constexpr std::string_view kTpmNamespace = "root\\CIMV2\\Security\\MicrosoftTpm";
constexpr std::size_t kMaxText = 64;

void collect_tpm(CollectContext& ctx, WinHost& win, v1::SecurityInfo& security) {
  auto rows = win.wmi(
      kTpmNamespace, "Win32_Tpm",
      {"IsEnabled_InitialValue", "IsActivated_InitialValue", "SpecVersion", "ManufacturerIdTxt"});
  if (!rows) {
    ctx.note(rows.error().code == ErrorCode::kNotFound
                 ? "no TPM provider (" + std::string(kTpmNamespace) + ")"
                 : "TPM not read: " + rows.error().message);
    return;
  }
  auto* tpm = security.mutable_tpm();
  if (rows->empty()) {
    tpm->set_present(false);
    return;
  }
  const auto& row = rows->front();
  tpm->set_present(true);
  tpm->set_version(tpm_spec_version(clean_text(json_text(row, "SpecVersion"), kMaxText)));
  if (auto enabled = json_bool(row, "IsEnabled_InitialValue")) tpm->set_enabled(*enabled);
  if (auto activated = json_bool(row, "IsActivated_InitialValue")) tpm->set_activated(*activated);
  // The vendor id is four ASCII characters, padded with spaces or NULs ("IFX ", "NTC").
  std::string vendor = json_text(row, "ManufacturerIdTxt");
  while (!vendor.empty() && (vendor.back() == '\0' || vendor.back() == ' ')) vendor.pop_back();
  tpm->set_manufacturer(std::string(trim(clean_text(vendor, kMaxText))));
}

}  // namespace

std::string tpm_spec_version(std::string_view spec_version) {
  return std::string(trim(spec_version.substr(0, spec_version.find(','))));
}

Result<void> collect_windows_tpm_secure_boot(CollectContext& ctx, v1::Snapshot& out) {
  WinHost* win = windows_host(ctx);
  if (!win) return {};
  auto* security = out.mutable_security();
  collect_tpm(ctx, *win, *security);

  auto state = win->registry("HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecureBoot\\State");
  if (state) {
    if (auto enabled = state->number("UEFISecureBootEnabled")) {
      security->set_secure_boot(*enabled != 0);
    }
  } else if (state.error().code == ErrorCode::kNotFound) {
    ctx.note("no Secure Boot state in the registry (legacy BIOS boot)");
  } else {
    ctx.note("Secure Boot state not read: " + state.error().message);
  }
  return {};
}

}  // namespace triage::agent
