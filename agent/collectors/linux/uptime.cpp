// Boot time. Source /proc/stat "btime" (stable across snapshots, unlike uptime). Linux; cheap.
#include "agent/collectors/linux/uptime.hpp"
#include "agent/collectors/text.hpp"

namespace triage::agent {

std::optional<std::int64_t> parse_boot_time(std::string_view proc_stat) {
  for (auto line : split_lines(proc_stat)) {
    if (!line.starts_with("btime ")) continue;
    if (auto v = to_int(line.substr(6)); v && *v > 0) return *v;
  }
  return std::nullopt;
}

Result<void> collect_uptime(CollectContext& ctx, v1::Snapshot& out) {
  auto text = ctx.fs().read("/proc/stat", 1024 * 1024);
  if (!text) return fail(text.error().message);
  auto btime = parse_boot_time(*text);
  if (!btime) return fail("/proc/stat has no btime line");
  out.mutable_system()->set_boot_time_unix_ms(*btime * 1000);
  return {};
}

}  // namespace triage::agent
