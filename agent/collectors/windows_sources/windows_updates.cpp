// Source: the answer of win_api::kWindowsUpdate, the Windows Update Agent's search for updates
// that are neither installed nor hidden (IUpdateSearcher::Search) and its history's last
// successful installation (IUpdateSearcher::QueryHistory).
#include "agent/collectors/windows_sources/windows_updates.hpp"

#include <array>
#include <string>

#include "agent/collectors/text.hpp"
#include "agent/collectors/windows_sources/win_api_names.hpp"
#include "agent/collectors/windows_sources/win_values.hpp"

namespace triage::agent {
namespace {

constexpr std::size_t kMaxPending = 500;
constexpr std::size_t kMaxTitle = 256;
constexpr std::size_t kMaxCategories = 16;
// MSRC severities: Microsoft sets one on security updates only.
constexpr std::array<std::string_view, 4> kMsrcSeverities = {"Critical", "Important", "Moderate",
                                                             "Low"};

/// The strings of `object[key]` (an array; anything else is none).
std::vector<std::string> strings_of(const nlohmann::json& object, std::string_view key) {
  std::vector<std::string> out;
  if (!object.is_object()) return out;
  auto it = object.find(key);
  if (it == object.end() || !it->is_array()) return out;
  for (const auto& item : *it) {
    if (out.size() == kMaxCategories) break;
    if (item.is_string()) out.push_back(clean_text(trim(item.get<std::string>()), kMaxTitle));
  }
  return out;
}

bool is_security(const std::string& severity, const std::vector<std::string>& categories) {
  for (const auto& c : categories) {
    if (c == "Security Updates") return true;
  }
  for (auto s : kMsrcSeverities) {
    if (severity == s) return true;
  }
  return false;
}

/// A Unix-ms instant of the answer, or 0.
std::int64_t instant(const nlohmann::json& answer, std::string_view key) {
  auto ms = json_uint(answer, key).value_or(0);
  return ms < (1ULL << 62) ? static_cast<std::int64_t>(ms) : 0;
}

}  // namespace

Result<void> collect_windows_updates(CollectContext& ctx, v1::Snapshot& out) {
  WinHost* win = windows_host(ctx);
  if (!win) return {};
  auto answer = win->api(win_api::kWindowsUpdate);
  // The search may have waited past the budget: the framework then cools this source down.
  if (!ctx.within_budget()) return ctx.over_budget();
  if (!answer) {
    if (answer.error().code == ErrorCode::kNotFound) {
      ctx.unavailable("Windows Update Agent: " + answer.error().message);
      return {};
    }
    return fail("searching Windows Update", answer.error());
  }
  if (!answer->is_object()) return fail("Windows Update answer is not an object");
  auto list = answer->find("updates");
  if (list == answer->end() || !list->is_array())
    return fail("Windows Update answer has no list of updates");

  auto* up = out.mutable_software()->mutable_updates();
  up->set_manager("Windows Update");
  bool complete = true;
  std::uint32_t pending = 0, security = 0;
  for (const auto& item : *list) {
    if (!ctx.within_budget()) return ctx.over_budget();
    if (!item.is_object()) continue;
    ++pending;
    auto categories = strings_of(item, "categories");
    auto severity = trim(json_text(item, "severity"));
    const bool fixes_security = is_security(std::string(severity), categories);
    if (fixes_security) ++security;
    if (static_cast<std::size_t>(up->pending_size()) == kMaxPending) {
      complete = false;  // counted, not listed
      continue;
    }
    auto* u = up->add_pending();
    u->set_name(clean_text(trim(json_text(item, "title")), kMaxTitle));
    auto kbs = strings_of(item, "kb");
    if (!kbs.empty()) u->set_candidate_version("KB" + kbs.front());
    u->set_security(fixes_security);
    if (!categories.empty()) u->set_suite(categories.front());
  }
  up->set_pending_count(pending);
  up->set_security_count(security);
  up->set_complete(complete);
  const auto searched = instant(*answer, "searched_unix_ms");
  up->set_last_search_unix_ms(searched);
  if (json_bool(*answer, "online").value_or(true)) {
    // An online search is Windows' refresh of the package lists.
    up->set_lists_updated_unix_ms(searched);
  } else {
    up->set_note(clean_text("online search failed (" + json_text(*answer, "online_error") +
                                "): pending updates as of Windows' last scan",
                            512));
  }
  if (auto installed = instant(*answer, "last_install_unix_ms"); installed > 0)
    up->set_last_installed_unix_ms(installed);
  if (auto why = json_text(*answer, "history_error"); !why.empty())
    ctx.note("update history: " + clean_text(why, 256));
  return {};
}

}  // namespace triage::agent
