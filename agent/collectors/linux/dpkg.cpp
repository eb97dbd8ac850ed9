// Installed Debian packages. Source /var/lib/dpkg/status (the dpkg database itself, no dpkg
// command). Removed packages whose configuration remains ("config-files") are left out.
// Debian family; any user; one pass over a 1-5 MB file.
#include "agent/collectors/linux/dpkg.hpp"

#include "agent/collectors/linux/control_stanzas.hpp"
#include "agent/collectors/text.hpp"

namespace triage::agent {

bool is_present(const DpkgEntry& entry) {
  return !entry.name.empty() && !entry.state.empty() && entry.state != "not-installed" &&
         entry.state != "config-files";
}

std::vector<DpkgEntry> parse_dpkg_status(std::string_view text) {
  std::vector<DpkgEntry> out;
  ControlStanzaParser parser([&out](const DpkgEntry& entry) {
    if (is_present(entry)) out.push_back(entry);
  });
  parser.feed(text);
  parser.finish();
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
