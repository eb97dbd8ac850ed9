// Sources: the DomainProfile, StandardProfile (the private profile) and PublicProfile keys of
// HKLM\SYSTEM\CurrentControlSet\Services\SharedAccess\Parameters\FirewallPolicy (the local
// settings); the DomainProfile, PrivateProfile or StandardProfile, and PublicProfile keys of
// HKLM\SOFTWARE\Policies\Microsoft\WindowsFirewall (Group Policy, which wins value by value);
// and the api "firewall" (INetFwPolicy2::CurrentProfileTypes) for the current profiles.
#include "agent/collectors/windows_sources/windows_firewall.hpp"

#include <array>
#include <optional>

#include "agent/collectors/windows_sources/win_api_names.hpp"
#include "agent/collectors/windows_sources/win_values.hpp"

namespace triage::agent {
namespace {

constexpr std::string_view kLocalPolicy =
    "HKLM\\SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy\\";
constexpr std::string_view kGroupPolicy = "HKLM\\SOFTWARE\\Policies\\Microsoft\\WindowsFirewall\\";

struct ProfileKeys {
  std::string_view name;            // as the snapshot names it
  std::string_view local_key;       // under kLocalPolicy
  std::string_view policy_key;      // under kGroupPolicy (the Advanced Security template's name)
  std::string_view old_policy_key;  // the older Windows Firewall template's name
  std::uint64_t api_bit;            // NET_FW_PROFILE2_*
};

constexpr std::array<ProfileKeys, 3> kProfiles = {{
    {"domain", "DomainProfile", "DomainProfile", "DomainProfile", 0x1},
    {"private", "StandardProfile", "PrivateProfile", "StandardProfile", 0x2},
    {"public", "PublicProfile", "PublicProfile", "PublicProfile", 0x4},
}};

/// A profile's setting: Group Policy's value when a policy sets it, else the local one.
struct Setting {
  std::optional<std::uint64_t> enable_firewall;
  std::optional<std::uint64_t> default_inbound_action;
};

void read_into(WinHost& win, const std::string& path, Setting& setting) {
  auto key = win.registry(path);
  if (!key) return;
  if (auto v = key->number("EnableFirewall")) setting.enable_firewall = v;
  if (auto v = key->number("DefaultInboundAction")) setting.default_inbound_action = v;
}

}  // namespace

Result<void> collect_windows_firewall(CollectContext& ctx, v1::Snapshot& out) {
  WinHost* win = windows_host(ctx);
  if (!win) return {};

  std::optional<std::uint64_t> current_types;
  if (auto answer = win->api(win_api::kFirewall)) {
    current_types = json_uint(*answer, "current_profile_types");
    if (!current_types) ctx.note("the firewall's current profiles were not reported");
  } else {
    ctx.note("current firewall profiles unknown: " + answer.error().message);
  }

  v1::Firewall fw;
  bool any_setting = false;
  bool all_enabled = true;
  bool any_enabled = false;
  bool every_current_enabled = true;
  bool any_current = false;
  for (const auto& profile : kProfiles) {
    Setting setting;
    read_into(*win, std::string(kLocalPolicy) + std::string(profile.local_key), setting);
    Setting policy;
    read_into(*win, std::string(kGroupPolicy) + std::string(profile.old_policy_key), policy);
    if (profile.policy_key != profile.old_policy_key) {
      read_into(*win, std::string(kGroupPolicy) + std::string(profile.policy_key), policy);
    }
    if (policy.enable_firewall) setting.enable_firewall = policy.enable_firewall;
    if (policy.default_inbound_action)
      setting.default_inbound_action = policy.default_inbound_action;
    if (!setting.enable_firewall && !setting.default_inbound_action) continue;
    any_setting = true;

    auto* p = fw.add_profiles();
    p->set_name(std::string(profile.name));
    // Windows' defaults when a value is absent: the firewall on, inbound blocked.
    p->set_enabled(setting.enable_firewall.value_or(1) != 0);
    p->set_inbound_default(setting.default_inbound_action.value_or(1) != 0 ? "block" : "allow");
    p->set_current(current_types && (*current_types & profile.api_bit) != 0);
    all_enabled = all_enabled && p->enabled();
    any_enabled = any_enabled || p->enabled();
    if (p->current()) {
      any_current = true;
      every_current_enabled = every_current_enabled && p->enabled();
    }
  }
  if (!any_setting) {
    ctx.unavailable("the firewall's settings (" + std::string(kLocalPolicy) +
                    "...) are not in the registry");
    return {};
  }
  fw.add_frontends("Windows Defender Firewall");
  if (any_current) {
    fw.set_active(every_current_enabled);
  } else if (all_enabled) {
    fw.set_active(true);  // on whatever the network is
  } else if (!any_enabled) {
    fw.set_active(false);
  } else {
    fw.set_message("some profiles are off and the current profile is unknown");
  }
  *out.mutable_security()->mutable_firewall() = std::move(fw);
  return {};
}

}  // namespace triage::agent
