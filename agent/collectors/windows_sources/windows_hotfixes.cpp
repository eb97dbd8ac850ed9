// Source: WMI root\cimv2 Win32_QuickFixEngineering (HotFixID, Description, InstalledOn), which
// lists the updates Component Based Servicing installed: cumulative, security and servicing
// stack updates. Not the updates of other products (Office, SQL Server): those are programs or
// Windows Update history.
#include "agent/collectors/windows_sources/windows_hotfixes.hpp"

#include <algorithm>
#include <charconv>
#include <set>
#include <string>

#include "agent/collectors/text.hpp"
#include "agent/collectors/windows_sources/win_values.hpp"

namespace triage::agent {
namespace {

// A machine installed years ago holds a few hundred; more means a broken repository.
constexpr std::size_t kMaxHotfixes = 2000;
constexpr std::size_t kMaxId = 64;
constexpr std::size_t kMaxDescription = 128;

}  // namespace

std::optional<std::int64_t> hotfix_installed_on(std::string_view text) {
  text = trim(text);
  if (auto day = windows_date_to_unix_ms(text)) return day;
  if (text.size() != 16) return std::nullopt;
  std::uint64_t filetime = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), filetime, 16);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  auto ms = filetime_to_unix_ms(filetime);
  if (ms <= 0) return std::nullopt;
  return ms;
}

Result<void> collect_windows_hotfixes(CollectContext& ctx, v1::Snapshot& out) {
  WinHost* win = windows_host(ctx);
  if (!win) return {};
  auto rows = win->wmi("root\\cimv2", "Win32_QuickFixEngineering",
                       {"HotFixID", "Description", "InstalledOn"});
  if (!rows) {
    if (rows.error().code == ErrorCode::kNotFound) {
      ctx.unavailable("Win32_QuickFixEngineering: " + rows.error().message);
      return {};
    }
    return fail("querying Win32_QuickFixEngineering", rows.error());
  }
  auto* sw = out.mutable_software();
  std::set<std::string> seen;
  std::int64_t newest = 0;
  // A date past the snapshot is a broken clock or record, not the last install.
  const std::int64_t latest_credible = ctx.host().now_unix_ms() + 24LL * 3600 * 1000;
  std::size_t undated = 0;
  for (const auto& row : *rows) {
    if (!ctx.within_budget()) return ctx.over_budget();
    if (static_cast<std::size_t>(sw->hotfixes_size()) == kMaxHotfixes) {
      ctx.note("hotfix list capped at " + std::to_string(kMaxHotfixes));
      break;
    }
    auto id = clean_text(trim(json_text(row, "HotFixID")), kMaxId);
    // Some updates are listed once per component they touch.
    if (id.empty() || !seen.insert(to_lower(id)).second) continue;
    auto* fix = sw->add_hotfixes();
    fix->set_id(std::move(id));
    fix->set_description(clean_text(trim(json_text(row, "Description")), kMaxDescription));
    if (auto when = hotfix_installed_on(json_text(row, "InstalledOn"))) {
      fix->set_installed_unix_ms(*when);
      if (*when <= latest_credible) newest = std::max(newest, *when);
    } else {
      ++undated;
    }
  }
  if (newest > 0) sw->mutable_updates()->set_last_installed_unix_ms(newest);
  if (undated > 0) ctx.note(std::to_string(undated) + " hotfixes without a readable install date");
  return {};
}

}  // namespace triage::agent
