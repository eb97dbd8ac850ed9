// Crash reports of the last 30 days: apport (/var/crash/*.crash), systemd-coredump
// (/var/lib/systemd/coredump/core.*) and kdump (/var/crash/<date>/vmcore*). Linux; the
// directories are usually root-readable only; a directory listing and a stat per file.
#include <algorithm>

#include "agent/collectors/linux/crash_dumps.hpp"
#include "agent/collectors/text.hpp"

namespace triage::agent {

std::string program_of_crash_file(std::string_view name, v1::CrashDump::Kind kind) {
  if (kind == v1::CrashDump::APPORT) {
    // "_usr_bin_firefox.1000.crash" -> "/usr/bin/firefox"
    auto dot = name.find('.');
    std::string p(name.substr(0, dot));
    std::replace(p.begin(), p.end(), '_', '/');
    return p;
  }
  if (kind == v1::CrashDump::SYSTEMD_COREDUMP) {
    // "core.firefox.1000.<boot id>.4242.1718000000000000.zst" -> "firefox"
    auto parts = split(name, '.');
    return parts.size() > 1 ? std::string(parts[1]) : std::string();
  }
  return "kernel";
}

Result<void> collect_crash_dumps(CollectContext& ctx, v1::Snapshot& out) {
  const auto& fs = ctx.fs();
  const std::int64_t since = ctx.host().now_unix_ms() - 30LL * 24 * 3600 * 1000;
  std::vector<v1::CrashDump> dumps;
  auto scan = [&](const std::string& dir, auto&& classify) {
    auto names = fs.list_dir(dir);
    if (!names) return;
    for (const auto& n : *names) {
      std::string path = dir + "/" + n;
      auto info = fs.stat(path);
      auto kind = classify(n, info);
      if (kind == v1::CrashDump::KIND_UNSPECIFIED || info.mtime_unix_ms < since) continue;
      v1::CrashDump d;
      d.set_path(path);
      d.set_kind(kind);
      d.set_program(program_of_crash_file(n, kind));
      d.set_time_unix_ms(info.mtime_unix_ms);
      d.set_size_bytes(info.size_bytes);
      dumps.push_back(std::move(d));
    }
  };
  scan("/var/crash", [&](const std::string& n, const FileInfo& info) {
    if (info.is_regular && n.ends_with(".crash")) return v1::CrashDump::APPORT;
    if (info.is_directory) {
      auto inner = fs.list_dir("/var/crash/" + n);
      if (inner && std::any_of(inner->begin(), inner->end(), [](auto& f) {
            return f.starts_with("vmcore") || f.starts_with("dump.");
          }))
        return v1::CrashDump::KDUMP;
    }
    return v1::CrashDump::KIND_UNSPECIFIED;
  });
  scan("/var/lib/systemd/coredump", [](const std::string& n, const FileInfo& info) {
    return info.is_regular && n.starts_with("core.") ? v1::CrashDump::SYSTEMD_COREDUMP
                                                     : v1::CrashDump::KIND_UNSPECIFIED;
  });
  std::sort(dumps.begin(), dumps.end(), [](auto& a, auto& b) {
    return a.time_unix_ms() > b.time_unix_ms() ||
           (a.time_unix_ms() == b.time_unix_ms() && a.path() < b.path());
  });
  if (dumps.size() > 50) dumps.resize(50);
  for (auto& d : dumps) *out.mutable_health()->add_crash_dumps() = std::move(d);
  return {};
}

}  // namespace triage::agent
