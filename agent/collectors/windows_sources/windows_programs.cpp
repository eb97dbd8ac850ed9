// Sources: HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall in the 64-bit view (x64)
// and the 32-bit view (x86, WOW6432Node), and HKU\<SID>\Software\...\Uninstall of every loaded
// user hive (user): DisplayName, DisplayVersion, Publisher, InstallDate (YYYYMMDD),
// EstimatedSize (KiB). Entries without a DisplayName, system components and the child entries
// of updates are not programs a user installed, so "Apps & features" hides them, and so do we.
#include "agent/collectors/windows_sources/windows_programs.hpp"

#include <map>
#include <string>
#include <utility>

#include "agent/collectors/text.hpp"
#include "agent/collectors/windows_sources/win_values.hpp"

namespace triage::agent {
namespace {

constexpr std::string_view kUninstall = "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall";
// A real machine has a few hundred; thousands means something generates entries.
constexpr std::size_t kMaxPrograms = 5000;
// Keys looked at per Uninstall key, programs or not (updates and components outnumber them).
constexpr std::size_t kMaxKeysPerList = 20000;
constexpr std::size_t kMaxUsers = 64;
constexpr std::size_t kMaxText = 256;

struct UninstallList {
  std::string path;
  RegistryView view;
  std::string arch;
};

bool is_update_entry(const RegistryKey& key) {
  // Children of another entry (Office's and Visual Studio's updates name their parent) and
  // the updates themselves are not programs.
  if (!key.text("ParentKeyName").empty()) return true;
  const auto release = key.text("ReleaseType");
  return release == "Update" || release == "Hotfix" || release == "Security Update";
}

/// True when version `a` is older than `b`, comparing the numbers of "1.2.10" one by one.
bool older(std::string_view a, std::string_view b) {
  auto next = [](std::string_view& v) {
    while (!v.empty() && (v.front() < '0' || v.front() > '9')) v.remove_prefix(1);
    std::uint64_t n = 0;
    while (!v.empty() && v.front() >= '0' && v.front() <= '9' && n < (1ULL << 40)) {
      n = n * 10 + static_cast<std::uint64_t>(v.front() - '0');
      v.remove_prefix(1);
    }
    return n;
  };
  while (!a.empty() || !b.empty()) {
    auto x = next(a), y = next(b);
    if (x != y) return x < y;
  }
  return false;
}

/// The loaded user hives of real accounts: local and domain users (S-1-5-21-...) and Entra ID
/// users (S-1-12-1-...); not the well-known service SIDs, nor the _Classes companions.
std::vector<std::string> user_hives(WinHost& win) {
  std::vector<std::string> sids;
  auto users = win.registry("HKU");
  if (!users) return sids;
  for (const auto& sid : users->subkeys) {
    // Registry names ignore case.
    const auto lower = to_lower(sid);
    if (!(lower.starts_with("s-1-5-21-") || lower.starts_with("s-1-12-1-")) ||
        lower.ends_with("_classes"))
      continue;
    if (sids.size() == kMaxUsers) break;
    sids.push_back(sid);
  }
  return sids;
}

}  // namespace

Result<void> collect_windows_programs(CollectContext& ctx, v1::Snapshot& out) {
  WinHost* win = windows_host(ctx);
  if (!win) return {};
  std::vector<UninstallList> lists = {
      {"HKLM\\" + std::string(kUninstall), RegistryView::k64, "x64"},
      {"HKLM\\" + std::string(kUninstall), RegistryView::k32, "x86"},
  };
  for (const auto& sid : user_hives(*win))
    lists.push_back(
        {"HKU\\" + sid + "\\" + std::string(kUninstall), RegistryView::kDefault, "user"});

  auto* packages = out.mutable_software()->mutable_packages();
  // (name, arch) -> index in packages.
  std::map<std::pair<std::string, std::string>, int> seen;
  bool any_list = false;
  bool capped = false;
  for (const auto& list : lists) {
    auto uninstall = win->registry(list.path, list.view);
    if (!uninstall) {
      if (uninstall.error().code != ErrorCode::kNotFound) ctx.note(uninstall.error().message);
      continue;
    }
    any_list = true;
    std::size_t looked_at = 0;
    for (const auto& subkey : uninstall->subkeys) {
      if (!ctx.within_budget()) return ctx.over_budget();
      if (++looked_at > kMaxKeysPerList || packages->size() >= static_cast<int>(kMaxPrograms)) {
        capped = true;
        break;
      }
      auto key = win->registry(list.path + "\\" + subkey, list.view);
      if (!key) continue;  // removed meanwhile, or not readable
      auto name = clean_text(trim(key->text("DisplayName")), kMaxText);
      if (name.empty() || key->number("SystemComponent").value_or(0) == 1 || is_update_entry(*key))
        continue;
      auto version = clean_text(trim(key->text("DisplayVersion")), kMaxText);
      // The same program twice in one list (an upgrade left the old key behind): the newer
      // version is the one installed.
      auto [at, added] = seen.try_emplace({name, list.arch}, packages->size());
      if (!added && !older(packages->Get(at->second).version(), version)) continue;
      auto* p = added ? packages->Add() : packages->Mutable(at->second);
      p->Clear();
      p->set_name(std::move(name));
      p->set_arch(list.arch);
      p->set_source(v1::Package::WINDOWS_PROGRAM);
      p->set_version(std::move(version));
      p->set_publisher(clean_text(trim(key->text("Publisher")), kMaxText));
      if (auto day = windows_date_to_unix_ms(trim(key->text("InstallDate"))))
        p->set_installed_unix_ms(*day);
      if (auto kib = key->number("EstimatedSize"); kib && *kib > 0 && *kib < (1ULL << 44))
        p->set_size_bytes(*kib * 1024);
    }
  }
  if (!any_list) return fail("no Uninstall key readable (" + std::string(kUninstall) + ")");
  if (capped) {
    ctx.note("program list incomplete: capped at " + std::to_string(kMaxPrograms) +
             " programs or " + std::to_string(kMaxKeysPerList) + " keys per Uninstall key");
  }
  return {};
}

}  // namespace triage::agent
