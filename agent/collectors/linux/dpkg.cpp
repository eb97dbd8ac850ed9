// Installed Debian packages. Source /var/lib/dpkg/status (the dpkg database itself, no dpkg
// command). Removed packages whose configuration remains ("config-files") are left out.
// Debian family; any user; one pass over a 1-5 MB file.
#include "agent/collectors/linux/dpkg.hpp"
#include "agent/collectors/text.hpp"

namespace triage::agent {

std::vector<DpkgEntry> parse_dpkg_status(std::string_view text) {
  std::vector<DpkgEntry> out;
  DpkgEntry cur;
  auto flush = [&] {
    if (!cur.name.empty() && cur.state != "not-installed" && cur.state != "config-files" &&
        !cur.state.empty()) {
      out.push_back(cur);
    }
    cur = DpkgEntry{};
  };
  std::size_t i = 0;
  while (i <= text.size()) {
    auto j = text.find('\n', i);
    if (j == std::string_view::npos) j = text.size();
    std::string_view line = text.substr(i, j - i);
    i = j + 1;
    if (line.empty()) {
      flush();
      if (j == text.size()) break;
      continue;
    }
    if (line[0] == ' ' || line[0] == '\t') continue;  // continuation (Description, Conffiles)
    if (line.starts_with("Package:"))
      cur.name = std::string(trim(line.substr(8)));
    else if (line.starts_with("Version:"))
      cur.version = std::string(trim(line.substr(8)));
    else if (line.starts_with("Architecture:"))
      cur.arch = std::string(trim(line.substr(13)));
    else if (line.starts_with("Status:")) {
      // "install ok installed": want, error flag, state.
      auto f = split_ws(line.substr(7));
      cur.state = f.size() == 3 ? std::string(f[2]) : std::string();
    }
    if (j == text.size()) {
      flush();
      break;
    }
  }
  return out;
}

Result<void> collect_dpkg(CollectContext& ctx, v1::Snapshot& out) {
  if (!ctx.fs().exists("/var/lib/dpkg/status")) {
    ctx.unavailable("no dpkg database (/var/lib/dpkg/status)");
    return {};
  }
  auto text = ctx.fs().read("/var/lib/dpkg/status", 64 * 1024 * 1024);
  if (!text) return fail(text.error().message);
  auto entries = parse_dpkg_status(*text);
  if (!ctx.within_budget()) return ctx.over_budget();
  auto* sw = out.mutable_software();
  sw->mutable_packages()->Reserve(static_cast<int>(entries.size()));
  for (auto& e : entries) {
    auto* p = sw->add_packages();
    p->set_name(std::move(e.name));
    p->set_arch(std::move(e.arch));
    p->set_source(v1::Package::DPKG);
    p->set_version(std::move(e.version));
    if (e.state != "installed") p->set_state(std::move(e.state));
  }
  return {};
}

}  // namespace triage::agent
