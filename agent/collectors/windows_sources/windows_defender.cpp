// Sources: root\Microsoft\Windows\Defender MSFT_MpComputerStatus (Defender's own provider:
// service and protection switches, signature and engine versions, last quick scan), and when
// Defender is absent or passive on a workstation, root\SecurityCenter2 AntiVirusProduct (the
// products Windows Security Center lists; it exists on workstations only). Any user.
#include "agent/collectors/windows_sources/windows_defender.hpp"

#include "agent/collectors/text.hpp"
#include "agent/collectors/windows_sources/win_values.hpp"

namespace triage::agent {
namespace {

constexpr std::string_view kDefenderNamespace = "root\\Microsoft\\Windows\\Defender";
constexpr std::string_view kSecurityCenterNamespace = "root\\SecurityCenter2";
constexpr std::string_view kDefenderProduct = "Microsoft Defender Antivirus";
constexpr std::size_t kMaxText = 128;
// Security Center lists one row per registered product; more than this is not a real machine.
constexpr std::size_t kMaxProducts = 32;

std::int64_t wmi_time(const nlohmann::json& row, std::string_view key) {
  return wmi_datetime_to_unix_ms(json_text(row, key)).value_or(0);
}

bool is_workstation(WinHost& win) {
  auto options = win.registry("HKLM\\SYSTEM\\CurrentControlSet\\Control\\ProductOptions");
  return options && options->text("ProductType") == "WinNT";
}

void fill_from_defender(const nlohmann::json& row, v1::Antivirus& av) {
  av.set_product(std::string(kDefenderProduct));
  auto service = json_bool(row, "AMServiceEnabled");
  auto antivirus = json_bool(row, "AntivirusEnabled");
  if (service && antivirus) {
    av.set_enabled(*service && *antivirus);
  } else if (antivirus) {
    av.set_enabled(*antivirus);
  }
  if (auto rtp = json_bool(row, "RealTimeProtectionEnabled")) av.set_real_time_protection(*rtp);
  if (auto tamper = json_bool(row, "IsTamperProtected")) av.set_tamper_protection(*tamper);
  av.set_signature_version(clean_text(json_text(row, "AntivirusSignatureVersion"), kMaxText));
  av.set_signatures_updated_unix_ms(wmi_time(row, "AntivirusSignatureLastUpdated"));
  av.set_engine_version(clean_text(json_text(row, "AMEngineVersion"), kMaxText));
  av.set_last_quick_scan_unix_ms(wmi_time(row, "QuickScanEndTime"));
}

/// The product Security Center reports as protecting the machine: the first one that is on and
/// is not Defender (Defender registers itself too, and stays listed as off when another
/// product takes over), else the first that is on, else the first listed.
Result<bool> fill_from_security_center(CollectContext& ctx, WinHost& win, v1::Antivirus& av) {
  auto rows = win.wmi(kSecurityCenterNamespace, "AntiVirusProduct",
                      {"displayName", "productState", "timestamp"});
  if (!rows) {
    if (rows.error().code == ErrorCode::kNotFound) return false;
    return fail("reading Security Center's antivirus products", rows.error());
  }
  const nlohmann::json* chosen = nullptr;
  int chosen_rank = -1;
  std::size_t seen = 0;
  for (const auto& row : *rows) {
    if (!ctx.within_budget()) return ctx.over_budget();
    if (++seen > kMaxProducts) break;
    auto name = json_text(row, "displayName");
    if (name.empty()) continue;
    bool on =
        decode_product_state(static_cast<std::uint32_t>(json_uint(row, "productState").value_or(0)))
            .enabled;
    bool defender = name.find("Defender") != std::string::npos;
    int rank = on ? (defender ? 1 : 2) : 0;
    if (rank > chosen_rank) {
      chosen = &row;
      chosen_rank = rank;
    }
  }
  if (!chosen) return false;
  av.set_product(clean_text(json_text(*chosen, "displayName"), kMaxText));
  if (auto state = json_uint(*chosen, "productState")) {
    auto decoded = decode_product_state(static_cast<std::uint32_t>(*state));
    av.set_enabled(decoded.enabled);
    if (decoded.signatures_out_of_date) {
      ctx.note("Security Center reports the signatures of " + av.product() + " out of date");
    }
  }
  return true;
}

}  // namespace

SecurityCenterState decode_product_state(std::uint32_t product_state) {
  return {.enabled = (product_state & 0x1000U) != 0,
          .signatures_out_of_date = (product_state & 0x10U) != 0};
}

Result<void> collect_windows_defender(CollectContext& ctx, v1::Snapshot& out) {
  WinHost* win = windows_host(ctx);
  if (!win) return {};
  v1::Antivirus av;
  bool have_status = false;
  auto rows = win->wmi(kDefenderNamespace, "MSFT_MpComputerStatus",
                       {"AMServiceEnabled", "AntivirusEnabled", "RealTimeProtectionEnabled",
                        "IsTamperProtected", "AntivirusSignatureVersion",
                        "AntivirusSignatureLastUpdated", "AMEngineVersion", "QuickScanEndTime"});
  if (rows && !rows->empty()) {
    fill_from_defender(rows->front(), av);
    have_status = true;
  } else if (!rows && rows.error().code != ErrorCode::kNotFound) {
    return fail("reading Microsoft Defender's status", rows.error());
  }

  // Defender steps aside (passive mode, or off) when another antivirus registers with Security
  // Center: that product is the one protecting the machine, and Defender being off is normal.
  bool defender_protects = have_status && av.has_enabled() && av.enabled();
  if (!defender_protects && is_workstation(*win)) {
    v1::Antivirus other;
    auto found = fill_from_security_center(ctx, *win, other);
    if (!found) return tl::unexpected(found.error());
    bool other_protects =
        *found && other.enabled() && other.product().find("Defender") == std::string::npos;
    if (*found && (!have_status || other_protects)) {
      if (have_status) {
        ctx.note("Microsoft Defender is off or passive; " + other.product() +
                 " protects this machine (Security Center)");
      }
      av = std::move(other);
      have_status = true;
    }
  }
  if (!have_status) {
    ctx.unavailable(
        "no antivirus status: Microsoft Defender's WMI provider (root\\Microsoft\\Windows\\"
        "Defender) is missing, and Security Center (root\\SecurityCenter2, workstations only) "
        "lists no antivirus");
    return {};
  }
  *out.mutable_security()->mutable_antivirus() = std::move(av);
  return {};
}

}  // namespace triage::agent
