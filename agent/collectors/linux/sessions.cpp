// Logged-in users. Source: the utmp database /run/utmp (binary records of glibc's struct
// utmp, 384 bytes each on Linux), keeping USER_PROCESS entries whose process still exists.
// Linux/glibc; any user; one small file plus one stat per session.
#include <utmp.h>

#include <cstring>

#include "agent/collectors/linux/sessions.hpp"

namespace triage::agent {
namespace {

std::string field(const char* data, std::size_t size) {
  return std::string(data, ::strnlen(data, size));
}

}  // namespace

std::vector<UtmpSession> parse_utmp(std::string_view data) {
  std::vector<UtmpSession> out;
  constexpr std::size_t kRecord = sizeof(struct utmp);
  for (std::size_t off = 0; off + kRecord <= data.size() && out.size() < 256; off += kRecord) {
    struct utmp u;
    std::memcpy(&u, data.data() + off, kRecord);
    if (u.ut_type != USER_PROCESS) continue;
    UtmpSession s;
    s.user = field(u.ut_user, sizeof u.ut_user);
    s.tty = field(u.ut_line, sizeof u.ut_line);
    s.host = field(u.ut_host, sizeof u.ut_host);
    s.pid = u.ut_pid > 0 ? static_cast<std::uint32_t>(u.ut_pid) : 0;
    s.login_unix_ms = static_cast<std::int64_t>(u.ut_tv.tv_sec) * 1000 + u.ut_tv.tv_usec / 1000;
    if (!s.user.empty()) out.push_back(std::move(s));
  }
  return out;
}

Result<void> collect_sessions(CollectContext& ctx, v1::Snapshot& out) {
  auto data = ctx.fs().read("/run/utmp", 4 * 1024 * 1024);
  if (!data) data = ctx.fs().read("/var/run/utmp", 4 * 1024 * 1024);
  if (!data) {
    ctx.note("no utmp database (nobody logged in through login/sshd/display manager)");
    return {};
  }
  for (auto& s : parse_utmp(*data)) {
    // Stale records survive crashes; a live session has its process.
    if (s.pid != 0 && !ctx.fs().exists("/proc/" + std::to_string(s.pid))) continue;
    auto* session = out.mutable_system()->add_sessions();
    session->set_user(s.user);
    session->set_tty(s.tty);
    session->set_remote_host(s.host);
    session->set_pid(s.pid);
    session->set_login_time_unix_ms(s.login_unix_ms);
  }
  return {};
}

}  // namespace triage::agent
