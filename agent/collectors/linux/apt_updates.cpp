// Pending and security updates, computed like `apt list --upgradable` but only from the small
// update pockets: /var/lib/apt/lists/*_dists_<suite>-{security,updates}_*_Packages[.gz|.lz4|.xz]
// compared with /var/lib/dpkg/status. The main suite's Packages list (tens of MB) is not read,
// so point-release updates waiting in it are not counted (Updates.complete says so). Lists are
// decompressed with zlib (.gz) or the lz4/xz tools (.lz4/.xz) through the process runner.
// Debian family; any user; ~10-30 ms CPU for a security pocket of a few MB.
#include <zlib.h>

#include <algorithm>
#include <map>

#include "agent/collectors/linux/apt_updates.hpp"
#include "agent/collectors/linux/debian_version.hpp"
#include "agent/collectors/linux/dpkg.hpp"
#include "agent/collectors/text.hpp"

namespace triage::agent {
namespace {

constexpr std::size_t kMaxList = 64 * 1024 * 1024;

Result<std::string> gunzip(std::string_view data) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return fail("zlib init failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buf[65536];
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof buf - zs.avail_out);
    if (out.size() > kMaxList) rc = Z_MEM_ERROR;
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) return fail("corrupt or oversized gzip list");
  return out;
}

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
  DpkgEntry cur;
  for (auto line : split_lines(text)) {
    if (line.empty()) {
      if (!cur.name.empty()) out.push_back(std::move(cur));
      cur = DpkgEntry{};
    } else if (line.starts_with("Package:")) {
      cur.name = std::string(trim(line.substr(8)));
    } else if (line.starts_with("Version:")) {
      cur.version = std::string(trim(line.substr(8)));
    } else if (line.starts_with("Architecture:")) {
      cur.arch = std::string(trim(line.substr(13)));
    }
  }
  if (!cur.name.empty()) out.push_back(std::move(cur));
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
  auto status = fs.read("/var/lib/dpkg/status", 64 * 1024 * 1024);
  if (!status) return fail(status.error().message);
  std::map<std::pair<std::string, std::string>, std::string> installed;
  for (auto& e : parse_dpkg_status(*status)) {
    if (e.state == "installed") installed[{e.name, e.arch}] = e.version;
  }
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
    Result<std::string> text = fail("unsupported compression " + std::string(ext));
    if (ext.empty()) {
      text = fs.read(path, kMaxList);
    } else if (ext == ".gz") {
      auto raw = fs.read(path, kMaxList);
      text = raw ? gunzip(*raw) : Result<std::string>(tl::unexpected(raw.error()));
    } else if ((ext == ".lz4" || ext == ".xz") &&
               ctx.host().has_program(ext == ".lz4" ? "lz4" : "xz")) {
      auto run = ctx.run(
          {ext == ".lz4" ? "lz4" : "xz", ext == ".lz4" ? "-dc" : "-dc", fs.resolve(path).string()},
          std::chrono::seconds(10), kMaxList);
      if (run && run->succeeded() && !run->stdout_truncated)
        text = std::move(run->stdout_text);
      else
        text = fail(run ? run->describe() : run.error().message);
    }
    if (!text) {
      complete = false;
      ctx.note(name + ": " + text.error().message);
      continue;
    }
    for (auto& cand : parse_packages_list(*text)) {
      auto arch = cand.arch == "all" ? std::string("all") : cand.arch;
      auto it = installed.find({cand.name, arch});
      if (it == installed.end()) continue;
      if (compare_debian_versions(cand.version, it->second) <= 0) continue;
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
    }
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
