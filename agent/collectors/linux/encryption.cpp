// Disk encryption: active dm-crypt mappings (/sys/block/dm-*/dm/uuid "CRYPT-LUKS2-..."), the
// volumes configured in /etc/crypttab, and whether the root filesystem sits on an encrypted
// device (following dm slaves, so LVM on LUKS counts). Also UEFI Secure Boot state from
// efivarfs. Linux; any user; a few sysfs files per device-mapper device.
#include <algorithm>
#include <map>
#include <set>

#include "agent/collectors/linux/encryption.hpp"
#include "agent/collectors/linux/filesystems.hpp"
#include "agent/collectors/text.hpp"

namespace triage::agent {
namespace {

constexpr std::string_view kSecureBootVar =
    "/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c";

/// Kernel block device name ("dm-0", "nvme0n1p3") behind a mount source.
std::string block_name_of(const std::string& source,
                          const std::map<std::string, std::string>& dm_by_name) {
  if (source.starts_with("/dev/mapper/")) {
    auto it = dm_by_name.find(source.substr(12));
    return it == dm_by_name.end() ? std::string() : it->second;
  }
  if (source.starts_with("/dev/")) return source.substr(5);
  return {};
}

}  // namespace

std::string crypt_type_from_dm_uuid(std::string_view uuid) {
  if (!uuid.starts_with("CRYPT-")) return {};
  auto rest = uuid.substr(6);
  auto dash = rest.find('-');
  auto type = std::string(rest.substr(0, dash));
  return type == "PLAIN" ? "plain" : type;
}

Result<void> collect_encryption(CollectContext& ctx, v1::Snapshot& out) {
  const auto& fs = ctx.fs();
  auto* sec = out.mutable_security();
  std::map<std::string, std::string> dm_by_name;  // mapper name -> dm-N
  std::set<std::string> crypt_devices;            // dm-N that are dm-crypt
  if (auto blocks = fs.list_dir("/sys/block")) {
    std::sort(blocks->begin(), blocks->end());
    for (const auto& b : *blocks) {
      if (!b.starts_with("dm-")) continue;
      std::string dir = "/sys/block/" + b + "/";
      auto name = fs.read_attr(dir + "dm/name").value_or(b);
      dm_by_name[name] = b;
      auto type = crypt_type_from_dm_uuid(fs.read_attr(dir + "dm/uuid").value_or(""));
      if (type.empty()) continue;
      crypt_devices.insert(b);
      auto* v = sec->add_encrypted_volumes();
      v->set_name(name);
      v->set_type(type);
      v->set_active(true);
      if (auto slaves = fs.list_dir(dir + "slaves"); slaves && !slaves->empty())
        v->set_backing_device(slaves->front());
    }
  }
  // Volumes configured in /etc/crypttab but not open now.
  if (auto tab = fs.read("/etc/crypttab", 64 * 1024)) {
    for (auto line : split_lines(*tab)) {
      auto f = split_ws(trim(line));
      if (f.size() < 2 || f[0].starts_with("#")) continue;
      std::string name(f[0]);
      if (dm_by_name.contains(name)) continue;
      auto* v = sec->add_encrypted_volumes();
      v->set_name(name);
      v->set_type("configured");
      v->set_backing_device(std::string(f[1]));
      v->set_active(false);
    }
  }
  // Which dm-crypt device (if any) lies under a block device? Walk dm slaves down to the disks,
  // so LVM on LUKS counts.
  auto crypt_under = [&](const std::string& block) -> std::string {
    std::vector<std::string> todo = {block};
    for (int guard = 0; !todo.empty() && guard < 64; ++guard) {
      auto b = todo.back();
      todo.pop_back();
      if (crypt_devices.contains(b)) return b;
      if (auto slaves = fs.list_dir("/sys/block/" + b + "/slaves"))
        todo.insert(todo.end(), slaves->begin(), slaves->end());
    }
    return {};
  };
  auto mounts_text = fs.read("/proc/self/mounts", 4 * 1024 * 1024);
  if (!mounts_text) mounts_text = fs.read("/proc/mounts", 4 * 1024 * 1024);
  if (mounts_text) {
    for (const auto& m : parse_mounts(*mounts_text)) {
      auto block = block_name_of(m.device, dm_by_name);
      if (block.empty()) continue;
      auto crypt = crypt_under(block);
      if (m.mount_point == "/") sec->set_root_encrypted(!crypt.empty());
      if (crypt.empty()) continue;
      for (auto& v : *sec->mutable_encrypted_volumes()) {
        auto it = dm_by_name.find(v.name());
        if (it == dm_by_name.end() || it->second != crypt) continue;
        if (std::find(v.mount_points().begin(), v.mount_points().end(), m.mount_point) ==
            v.mount_points().end()) {
          v.add_mount_points(m.mount_point);
        }
      }
    }
  }
  // Secure Boot: 4 attribute bytes, then one value byte.
  if (auto var = fs.read_prefix(std::string(kSecureBootVar), 16); var && var->size() >= 5) {
    sec->set_secure_boot((*var)[4] == 1);
  } else if (fs.is_directory("/sys/firmware/efi")) {
    sec->set_secure_boot(false);
  } else {
    ctx.note("Secure Boot unknown (legacy BIOS boot or firmware not visible)");
  }
  return {};
}

}  // namespace triage::agent
