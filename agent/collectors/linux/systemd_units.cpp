// systemd services and failed units, via `systemctl list-units` and `systemctl
// is-system-running` (D-Bus without a client library would mean hand-writing the protocol).
// Only when systemd is PID 1 (/run/systemd/system exists). Linux/systemd; any user; two
// short commands (~20 ms of systemctl CPU).
#include <algorithm>

#include "agent/collectors/linux/systemd_units.hpp"
#include "agent/collectors/text.hpp"

namespace triage::agent {

v1::ServiceUnit::ActiveState unit_active_state(std::string_view s) {
  if (s == "active") return v1::ServiceUnit::ACTIVE;
  if (s == "inactive") return v1::ServiceUnit::INACTIVE;
  if (s == "failed") return v1::ServiceUnit::FAILED;
  if (s == "activating") return v1::ServiceUnit::ACTIVATING;
  if (s == "deactivating") return v1::ServiceUnit::DEACTIVATING;
  if (s == "reloading") return v1::ServiceUnit::RELOADING;
  return v1::ServiceUnit::ACTIVE_STATE_UNKNOWN;
}

std::vector<v1::ServiceUnit> parse_list_units(std::string_view text) {
  std::vector<v1::ServiceUnit> out;
  for (auto line : split_lines(text)) {
    line = trim(line);
    // Failed units may be prefixed with a bullet ("● foo.service") even with --plain.
    if (line.starts_with("\xe2\x97\x8f")) line = trim(line.substr(3));
    if (line.starts_with("*")) line = trim(line.substr(1));
    auto f = split_ws(line);
    if (f.size() < 4 || f[0].find('.') == std::string_view::npos) continue;
    v1::ServiceUnit u;
    u.set_name(std::string(f[0]));
    u.set_load_state(std::string(f[1]));
    u.set_active_state(unit_active_state(f[2]));
    u.set_sub_state(std::string(f[3]));
    if (f.size() > 4) {
      auto desc_at =
          line.find(f[4], static_cast<std::size_t>(f[3].data() + f[3].size() - line.data()));
      u.set_description(std::string(trim(line.substr(desc_at))));
    }
    out.push_back(std::move(u));
  }
  return out;
}

Result<void> collect_systemd_units(CollectContext& ctx, v1::Snapshot& out) {
  auto* svc = out.mutable_software()->mutable_services();
  if (!ctx.fs().is_directory("/run/systemd/system")) {
    svc->set_systemd_running(false);
    auto init = ctx.fs().read_attr("/proc/1/comm").value_or("unknown");
    ctx.unavailable("systemd not running (PID 1 is " + init + ")");
    return {};
  }
  svc->set_systemd_running(true);
  if (!ctx.host().has_program("systemctl")) {
    ctx.unavailable("systemd running but systemctl not found");
    return {};
  }
  auto state = ctx.run({"systemctl", "is-system-running"}, std::chrono::seconds(5), 4096);
  if (state) svc->set_system_state(std::string(trim(state->stdout_text)));
  auto list = ctx.run({"systemctl", "list-units", "--all", "--no-legend", "--no-pager", "--plain",
                       "--type=service,mount,socket,timer,path"},
                      std::chrono::seconds(10), 4 * 1024 * 1024);
  if (!list) return fail(list.error().message);
  if (list->timed_out) return fail("systemctl list-units " + list->describe());
  std::uint32_t failed = 0;
  for (auto& u : parse_list_units(list->stdout_text)) {
    bool is_failed = u.active_state() == v1::ServiceUnit::FAILED;
    failed += is_failed ? 1 : 0;
    // All services, and any other unit only when failed (mounts/timers are many and dull).
    if (!is_failed && !u.name().ends_with(".service")) continue;
    *svc->add_units() = std::move(u);
  }
  svc->set_failed_count(failed);
  return {};
}

}  // namespace triage::agent
