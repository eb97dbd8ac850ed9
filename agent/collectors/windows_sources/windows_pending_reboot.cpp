// Sources, all under HKLM:
//   SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending and
//   SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired: keys
//     whose presence is the flag;
//   SOFTWARE\Microsoft\Updates UpdateExeVolatile (non-zero);
//   SYSTEM\CurrentControlSet\Control\Session Manager PendingFileRenameOperations(2): a MULTI_SZ
//     of source/target pairs (an empty target deletes);
//   SYSTEM\CurrentControlSet\Control\ComputerName: ActiveComputerName vs ComputerName;
//   SYSTEM\CurrentControlSet\Services\Netlogon: JoinDomain or AvoidSpnSet.
// Since when: the earliest last write of the keys that flag it (a key rewritten later only
// makes the reboot look younger than it is).
#include "agent/collectors/windows_sources/windows_pending_reboot.hpp"

#include <algorithm>

#include "agent/collectors/text.hpp"
#include "agent/collectors/windows_sources/win_values.hpp"

namespace triage::agent {
namespace {

constexpr std::string_view kCbsRebootPending =
    "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\RebootPending";
constexpr std::string_view kWuRebootRequired =
    "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Auto "
    "Update\\RebootRequired";
constexpr std::string_view kUpdates = "HKLM\\SOFTWARE\\Microsoft\\Updates";
constexpr std::string_view kSessionManager =
    "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager";
constexpr std::string_view kActiveName =
    "HKLM\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ActiveComputerName";
constexpr std::string_view kConfiguredName =
    "HKLM\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName";
constexpr std::string_view kNetlogon = "HKLM\\SYSTEM\\CurrentControlSet\\Services\\Netlogon";
constexpr std::string_view kNetlogonJoinDomain =
    "HKLM\\SYSTEM\\CurrentControlSet\\Services\\Netlogon\\JoinDomain";

class Flags {
 public:
  explicit Flags(v1::PendingReboot& out) : out_(out) {}

  void add(std::string reason, std::int64_t last_write_unix_ms) {
    out_.add_reasons(std::move(reason));
    if (last_write_unix_ms > 0 && (since_ == 0 || last_write_unix_ms < since_))
      since_ = last_write_unix_ms;
  }
  void finish() {
    out_.set_required(out_.reasons_size() > 0);
    if (out_.required() && since_ > 0) out_.set_since_unix_ms(since_);
  }

 private:
  v1::PendingReboot& out_;
  std::int64_t since_ = 0;  // 0: no key said when
};

/// Files queued for replacement or deletion at the next boot: the pairs of the MULTI_SZ.
std::size_t pending_file_operations(const RegistryKey& key, std::string_view value) {
  auto it = key.values.find(value);
  if (it == key.values.end() || it->second.type != RegistryValue::Type::kMultiString) return 0;
  const auto& strings = it->second.strings;
  std::size_t sources = 0;
  // Pairs: a source path, then its target ("" deletes). A source is never empty.
  for (std::size_t i = 0; i < strings.size(); i += 2) {
    if (!strings[i].empty()) ++sources;
  }
  return sources;
}

}  // namespace

Result<void> collect_windows_pending_reboot(CollectContext& ctx, v1::Snapshot& out) {
  WinHost* win = windows_host(ctx);
  if (!win) return {};
  Flags flags(*out.mutable_system()->mutable_pending_reboot());

  if (auto key = win->registry(kCbsRebootPending)) {
    flags.add("Component Based Servicing: a servicing operation needs a restart",
              key->last_write_unix_ms);
  }
  if (auto key = win->registry(kWuRebootRequired)) {
    flags.add("Windows Update: installed updates need a restart", key->last_write_unix_ms);
  }
  if (auto key = win->registry(kUpdates); key && key->number("UpdateExeVolatile").value_or(0)) {
    flags.add("an installer marked the update executable volatile (UpdateExeVolatile)",
              key->last_write_unix_ms);
  }
  if (auto key = win->registry(kSessionManager)) {
    auto files = pending_file_operations(*key, "PendingFileRenameOperations") +
                 pending_file_operations(*key, "PendingFileRenameOperations2");
    if (files > 0) {
      flags.add("PendingFileRenameOperations: " + std::to_string(files) +
                    (files == 1 ? " file" : " files") + " to replace or delete at boot",
                key->last_write_unix_ms);
    }
  }
  auto active = win->registry(kActiveName);
  auto configured = win->registry(kConfiguredName);
  if (active && configured) {
    auto now_name = active->text("ComputerName"), next_name = configured->text("ComputerName");
    if (!next_name.empty() && !now_name.empty() && to_lower(now_name) != to_lower(next_name)) {
      flags.add(
          "computer rename: " + clean_text(now_name, 64) + " becomes " + clean_text(next_name, 64),
          configured->last_write_unix_ms);
    }
  }
  if (auto join = win->registry(kNetlogonJoinDomain)) {
    flags.add("domain join: joining or leaving a domain completes at restart",
              join->last_write_unix_ms);
  } else if (auto netlogon = win->registry(kNetlogon);
             netlogon && (netlogon->has("JoinDomain") || netlogon->has("AvoidSpnSet"))) {
    flags.add("domain join: joining or leaving a domain completes at restart",
              netlogon->last_write_unix_ms);
  }
  flags.finish();
  return {};
}

}  // namespace triage::agent
