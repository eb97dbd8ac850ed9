// os-release: distribution name, id, version. Source /etc/os-release, falling back to
// /usr/lib/os-release. Linux; any user; one small file.
#include "agent/collectors/linux/os_release.hpp"
#include "agent/collectors/text.hpp"

namespace triage::agent {

OsRelease parse_os_release(std::string_view text) {
  OsRelease r;
  for (auto line : split_lines(text)) {
    line = trim(line);
    if (line.empty() || line.front() == '#') continue;
    auto kv = key_value(line, '=');
    if (!kv) continue;
    auto [key, value] = *kv;
    if (key == "PRETTY_NAME")
      r.pretty_name = unquote(value);
    else if (key == "NAME")
      r.name = unquote(value);
    else if (key == "ID")
      r.id = unquote(value);
    else if (key == "VERSION_ID")
      r.version_id = unquote(value);
    else if (key == "VERSION_CODENAME")
      r.codename = unquote(value);
  }
  if (r.pretty_name.empty()) r.pretty_name = r.name;
  return r;
}

OsRelease read_os_release(const FsRoot& fs) {
  auto text = fs.read("/etc/os-release", 64 * 1024);
  if (!text) text = fs.read("/usr/lib/os-release", 64 * 1024);
  return text ? parse_os_release(*text) : OsRelease{};
}

Result<void> collect_os_release(CollectContext& ctx, v1::Snapshot& out) {
  auto text = ctx.fs().read("/etc/os-release", 64 * 1024);
  if (!text) text = ctx.fs().read("/usr/lib/os-release", 64 * 1024);
  if (!text) return fail("no /etc/os-release or /usr/lib/os-release");
  auto r = parse_os_release(*text);
  auto* sys = out.mutable_system();
  sys->set_os_pretty_name(r.pretty_name);
  sys->set_os_id(r.id);
  sys->set_os_version_id(r.version_id);
  sys->set_os_version_codename(r.codename);
  return {};
}

}  // namespace triage::agent
