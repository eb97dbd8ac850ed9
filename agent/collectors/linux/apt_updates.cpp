// Pending and security updates, computed like `apt list --upgradable` but only from the small
// update pockets: /var/lib/apt/lists/*_dists_<suite>-{security,updates}_*_Packages[.gz|.lz4|.xz]
// compared with /var/lib/dpkg/status. The main suite's Packages list (tens of MB) is not read,
// so point-release updates waiting in it are not counted (Updates.complete says so). Lists are
// decompressed in process and parsed as they stream (streamed_file.hpp, control_stanzas.hpp):
// the largest pocket costs one 64 KiB buffer, not its decompressed size.
// Debian family; any user; ~10-30 ms CPU for a security pocket of a few MB.
#include <algorithm>
#include <map>

#include "agent/collectors/linux/apt_updates.hpp"
#include "agent/collectors/linux/control_stanzas.hpp"
#include "agent/collectors/linux/debian_version.hpp"
#include "agent/collectors/linux/dpkg.hpp"
#include "agent/collectors/linux/streamed_file.hpp"
#include "agent/collectors/text.hpp"

namespace triage::agent {
namespace {

// Far above any real pocket (Debian's whole main suite decompresses to ≈ 100 MB; its
// security pocket to a few MB), and a bound on the CPU a corrupt or hostile list can cost.
constexpr std::size_t kMaxList = 64 * 1024 * 1024;

/// "deb.debian.org_debian_dists_bookworm-security_main_binary-amd64_Packages" -> suite.
std::string suite_of(std::string_view file) {
  auto pos = file.find("_dists_");
  if (pos == std::string_view::npos) return {};
  auto rest = file.substr(pos + 7);
  return std::string(rest.substr(0, rest.find('_')));
}

}  // namespace

std::vector<DpkgEntry> parse_packages_list(std::string_view text) {
  std::vector<DpkgEntry> out;
  ControlStanzaParser parser([&out](const DpkgEntry& entry) { out.push_back(entry); });
  parser.feed(text);
  parser.finish();
  return out;
}

Result<void> collect_apt_updates(CollectContext& ctx, v1::Snapshot& out) {
  const auto& fs = ctx.fs();
  const std::string lists = "/var/lib/apt/lists";
  auto files = fs.list_dir(lists);
  if (!files || !fs.exists("/var/lib/dpkg/status")) {
    ctx.unavailable("no apt package lists");
    return {};
  }
  // The status file streams like the lists: only the installed versions are kept.
  std::map<std::pair<std::string, std::string>, std::string> installed;
  ControlStanzaParser status_parser([&installed](const DpkgEntry& e) {
    if (e.state == "installed") installed[{e.name, e.arch}] = e.version;
  });
  auto status = read_streamed_file(fs.resolve("/var/lib/dpkg/status"), kMaxList,
                                   [&status_parser](std::string_view chunk) {
                                     status_parser.feed(chunk);
                                     return true;
                                   });
  if (!status) return fail(status.error().message);
  status_parser.finish();
  auto* up = out.mutable_software()->mutable_updates();
  up->set_manager("apt");
  std::sort(files->begin(), files->end());
  std::map<std::pair<std::string, std::string>, v1::PendingUpdate> best;
  bool complete = true;
  std::int64_t updated = 0;
  for (const auto& name : *files) {
    if (!ctx.within_budget()) return ctx.over_budget();
    std::string path = lists + "/" + name;
    if (name.ends_with("Release")) updated = std::max(updated, fs.stat(path).mtime_unix_ms);
    auto pkg = name.find("_Packages");
    if (pkg == std::string::npos) continue;
    auto suite = suite_of(name);
    bool security = suite.ends_with("-security") || suite.ends_with("/updates");
    if (!security && !suite.ends_with("-updates")) continue;
    std::string_view ext = std::string_view(name).substr(pkg + 9);
    if (!ext.empty() && ext != ".gz" && ext != ".lz4" && ext != ".xz") {
      complete = false;
      ctx.note(name + ": unsupported compression " + std::string(ext));
      continue;
    }
    ControlStanzaParser parser([&](const DpkgEntry& cand) {
      auto arch = cand.arch == "all" ? std::string("all") : cand.arch;
      auto it = installed.find({cand.name, arch});
      if (it == installed.end()) return;
      if (compare_debian_versions(cand.version, it->second) <= 0) return;
      auto& slot = best[{cand.name, arch}];
      if (slot.name().empty() ||
          compare_debian_versions(cand.version, slot.candidate_version()) > 0) {
        bool was_security = slot.security();
        slot.set_name(cand.name);
        slot.set_arch(arch);
        slot.set_installed_version(it->second);
        slot.set_candidate_version(cand.version);
        slot.set_suite(suite);
        slot.set_security(security || was_security);
      } else if (security) {
        slot.set_security(true);
      }
    });
    auto read = read_streamed_file(fs.resolve(path), kMaxList, [&](std::string_view chunk) {
      parser.feed(chunk);
      return ctx.within_budget();
    });
    parser.finish();
    if (!read) {
      // What the list held before the fault is counted; the total is marked incomplete.
      complete = false;
      ctx.note(read.error().message);
    }
    if (!ctx.within_budget()) return ctx.over_budget();
  }
  std::uint32_t sec = 0;
  for (auto& [key, u] : best) {
    sec += u.security() ? 1 : 0;
    if (up->pending_size() < 300) *up->add_pending() = std::move(u);
  }
  up->set_pending_count(static_cast<std::uint32_t>(best.size()));
  up->set_security_count(sec);
  up->set_lists_updated_unix_ms(updated);
  up->set_complete(complete);
  if (updated == 0) ctx.note("package lists never downloaded (apt-get update)");
  return {};
}

}  // namespace triage::agent
