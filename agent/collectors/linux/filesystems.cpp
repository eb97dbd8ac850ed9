// Mounted filesystems with usage, inodes and options. Sources /proc/self/mounts (fallback
// /proc/mounts) and statvfs() per mount through the Host. Pseudo filesystems are skipped;
// network filesystems are listed but not statvfs'ed, because a hung server would block the
// agent in the kernel where no budget can stop it. Linux; any user; one syscall per mount.
#include <algorithm>
#include <set>

#include "agent/collectors/linux/filesystems.hpp"
#include "agent/collectors/text.hpp"

namespace triage::agent {
namespace {

const std::set<std::string_view> kPseudo = {"proc",
                                            "sysfs",
                                            "devtmpfs",
                                            "devpts",
                                            "tmpfs",
                                            "cgroup",
                                            "cgroup2",
                                            "securityfs",
                                            "pstore",
                                            "debugfs",
                                            "tracefs",
                                            "configfs",
                                            "fusectl",
                                            "mqueue",
                                            "hugetlbfs",
                                            "bpf",
                                            "autofs",
                                            "binfmt_misc",
                                            "efivarfs",
                                            "rpc_pipefs",
                                            "nsfs",
                                            "ramfs",
                                            "squashfs",
                                            "selinuxfs",
                                            "fuse.gvfsd-fuse",
                                            "fuse.portal",
                                            "overlayfs_internal",
                                            "nfsd",
                                            "rootfs",
                                            "devfs",
                                            "fuse.lxcfs",
                                            "sockfs",
                                            "pipefs",
                                            "fuse.snapfuse"};

const std::set<std::string_view> kNetwork = {
    "nfs",       "nfs4", "cifs", "smb3",           "smbfs", "fuse.sshfs", "sshfs",
    "glusterfs", "ceph", "9p",   "fuse.glusterfs", "afs",   "davfs",      "fuse.davfs2"};

/// /proc/mounts escapes space, tab, newline and backslash as \040 \011 \012 \134.
std::string unescape_octal(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      auto v = to_uint(s.substr(i + 1, 3), 8);
      if (v && *v < 256) {
        out += static_cast<char>(*v);
        i += 3;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

}  // namespace

std::vector<MountEntry> parse_mounts(std::string_view text) {
  std::vector<MountEntry> out;
  for (auto line : split_lines(text)) {
    auto f = split_ws(line);
    if (f.size() < 4) continue;
    MountEntry m;
    m.device = unescape_octal(f[0]);
    m.mount_point = unescape_octal(f[1]);
    m.fs_type = std::string(f[2]);
    for (auto opt : split(f[3], ',')) {
      if (!opt.empty()) m.options.emplace_back(opt);
    }
    out.push_back(std::move(m));
  }
  return out;
}

bool is_pseudo_filesystem(std::string_view fs_type) { return kPseudo.contains(fs_type); }
bool is_network_filesystem(std::string_view fs_type) { return kNetwork.contains(fs_type); }

Result<void> collect_filesystems(CollectContext& ctx, v1::Snapshot& out) {
  auto text = ctx.fs().read("/proc/self/mounts", 4 * 1024 * 1024);
  if (!text) text = ctx.fs().read("/proc/mounts", 4 * 1024 * 1024);
  if (!text) return fail(text.error().message);
  auto mounts = parse_mounts(*text);
  // A later mount on the same point hides the earlier one; a device mounted twice (bind mounts,
  // container-injected /etc/hosts) is reported once, at its shortest mount point.
  std::vector<MountEntry> kept;
  for (auto& m : mounts) {
    if (is_pseudo_filesystem(m.fs_type) || m.mount_point.empty() || m.mount_point[0] != '/')
      continue;
    // Container engines bind-mount these single files from the host; they are not filesystems.
    if (m.mount_point == "/etc/hosts" || m.mount_point == "/etc/hostname" ||
        m.mount_point == "/etc/resolv.conf")
      continue;
    std::erase_if(kept, [&](const MountEntry& k) { return k.mount_point == m.mount_point; });
    kept.push_back(std::move(m));
  }
  std::vector<MountEntry> unique;
  for (auto& m : kept) {
    bool block = m.device.starts_with("/dev/");
    auto dup = std::find_if(unique.begin(), unique.end(), [&](const MountEntry& u) {
      return block && u.device == m.device && u.fs_type == m.fs_type;
    });
    if (dup == unique.end())
      unique.push_back(std::move(m));
    else if (m.mount_point.size() < dup->mount_point.size())
      *dup = std::move(m);
  }
  std::sort(unique.begin(), unique.end(),
            [](const MountEntry& a, const MountEntry& b) { return a.mount_point < b.mount_point; });
  for (const auto& m : unique) {
    if (!ctx.within_budget()) return ctx.over_budget();
    auto* f = out.mutable_hardware()->add_filesystems();
    f->set_mount_point(m.mount_point);
    f->set_device(m.device);
    f->set_fs_type(m.fs_type);
    for (const auto& o : m.options) f->add_options(o);
    f->set_read_only(std::find(m.options.begin(), m.options.end(), "ro") != m.options.end());
    f->set_network(is_network_filesystem(m.fs_type));
    if (f->network()) continue;
    auto usage = ctx.host().fs_usage(m.mount_point);
    if (!usage) continue;
    f->set_size_bytes(usage->size_bytes);
    std::uint64_t used =
        usage->size_bytes > usage->free_bytes ? usage->size_bytes - usage->free_bytes : 0;
    f->set_used_bytes(used);
    f->set_free_bytes(usage->avail_bytes);
    // As df(1): the reserved blocks count as neither used nor available to users.
    if (used + usage->avail_bytes > 0) {
      f->set_used_percent(
          static_cast<float>(100.0 * used / static_cast<double>(used + usage->avail_bytes)));
    }
    if (usage->inodes_total > 0) {
      auto iused = usage->inodes_total - std::min(usage->inodes_free, usage->inodes_total);
      f->set_inodes_total(usage->inodes_total);
      f->set_inodes_used(iused);
      f->set_inodes_used_percent(
          static_cast<float>(100.0 * iused / static_cast<double>(usage->inodes_total)));
    }
  }
  return {};
}

}  // namespace triage::agent
