// Source: api "sessions" (win_api_names.hpp). Session 0 holds the services and no user; the
// listening RDP session has no user either: both are left out.
#include "agent/collectors/windows_sources/windows_sessions.hpp"

#include "agent/collectors/text.hpp"
#include "agent/collectors/windows_sources/win_values.hpp"

namespace triage::agent {
namespace {

constexpr std::size_t kMaxSessions = 256;
constexpr std::size_t kMaxText = 256;

}  // namespace

Result<void> collect_windows_sessions(CollectContext& ctx, v1::Snapshot& out) {
  WinHost* win = windows_host(ctx);
  if (!win) return {};
  auto answer = win->api("sessions");
  if (!answer) {
    if (answer.error().code == ErrorCode::kNotFound) {
      ctx.unavailable("sessions: " + answer.error().message);
      return {};
    }
    return fail("listing the sessions", answer.error());
  }
  auto list = answer->find("sessions");
  if (!answer->is_object() || list == answer->end() || !list->is_array()) {
    return fail("the sessions answer has no list of sessions");
  }
  auto* sys = out.mutable_system();
  for (const auto& item : *list) {
    if (!ctx.within_budget()) return ctx.over_budget();
    if (static_cast<std::size_t>(sys->sessions_size()) >= kMaxSessions) {
      ctx.note("more than " + std::to_string(kMaxSessions) + " sessions: the rest left out");
      break;
    }
    auto id = json_uint(item, "session_id");
    auto user = clean_text(json_text(item, "user"), kMaxText);
    if (!id || *id == 0 || user.empty()) continue;
    auto domain = clean_text(json_text(item, "domain"), kMaxText);
    auto station = clean_text(json_text(item, "station"), kMaxText);
    // A disconnected session keeps its user but loses its station: named by its id instead.
    if (station.empty()) {
      station = "session " + std::to_string(*id);
      if (json_text(item, "state") == "disconnected") station += " (disconnected)";
    }

    auto* session = sys->add_sessions();
    session->set_user(domain.empty() ? user : domain + "\\" + user);
    session->set_tty(station);
    session->set_remote_host(clean_text(json_text(item, "client_name"), kMaxText));
    if (auto logon = json_uint(item, "logon_time_unix_ms"))
      session->set_login_time_unix_ms(static_cast<std::int64_t>(*logon));
  }
  return {};
}

}  // namespace triage::agent
