// Source: the "volumes" answer (GetLogicalDriveStringsW, GetDriveTypeW, GetVolumeInformationW,
// GetDiskFreeSpaceExW, FSCTL_IS_VOLUME_DIRTY; see win_api_names.hpp).
#include "agent/collectors/windows_sources/windows_volumes.hpp"

#include <algorithm>

#include "agent/collectors/text.hpp"
#include "agent/collectors/windows_sources/win_api_names.hpp"
#include "agent/collectors/windows_sources/win_values.hpp"

namespace triage::agent {
namespace {

// GetDriveTypeW's answers.
constexpr std::uint64_t kDriveRemovable = 2;
constexpr std::uint64_t kDriveFixed = 3;
constexpr std::uint64_t kDriveRemote = 4;
constexpr std::uint64_t kDriveCdrom = 5;
constexpr std::uint64_t kDriveRamdisk = 6;
// GetVolumeInformationW's FILE_READ_ONLY_VOLUME.
constexpr std::uint64_t kReadOnlyVolume = 0x00080000;
// 26 letters; mounted folders are not drive letters and are not listed by the gatherer.
constexpr std::size_t kMaxVolumes = 26;
constexpr std::size_t kMaxText = 128;

/// Drive types that hold files; "no root directory" and unknown ones are skipped.
bool is_storage(std::uint64_t drive_type) {
  return drive_type == kDriveRemovable || drive_type == kDriveFixed || drive_type == kDriveRemote ||
         drive_type == kDriveCdrom || drive_type == kDriveRamdisk;
}

void set_usage(const nlohmann::json& volume, v1::Filesystem& f) {
  auto total = json_uint(volume, "total_bytes");
  auto free = json_uint(volume, "free_bytes");
  auto available = json_uint(volume, "available_bytes");
  if (!total || !free) return;
  free = std::min(*free, *total);
  const std::uint64_t used = *total - *free;
  // As df(1) and the Linux source: space a quota keeps from this user is neither used nor
  // available to them.
  const std::uint64_t avail = std::min(available.value_or(*free), *free);
  f.set_size_bytes(*total);
  f.set_used_bytes(used);
  f.set_free_bytes(avail);
  if (used + avail > 0) {
    f.set_used_percent(
        static_cast<float>(100.0 * static_cast<double>(used) / static_cast<double>(used + avail)));
  }
}

}  // namespace

Result<void> collect_windows_volumes(CollectContext& ctx, v1::Snapshot& out) {
  WinHost* win = windows_host(ctx);
  if (!win) return {};
  auto answer = win->api(win_api::kVolumes);
  if (!answer) return fail("listing the volumes", answer.error());
  if (!answer->is_object() || !answer->contains("volumes") || !(*answer)["volumes"].is_array())
    return fail("the volumes answer has no list of volumes");

  std::vector<v1::Filesystem> kept;
  std::size_t not_ready = 0;
  for (const auto& volume : (*answer)["volumes"]) {
    if (!ctx.within_budget()) return ctx.over_budget();
    if (kept.size() >= kMaxVolumes) {
      ctx.note("more than 26 volumes: the rest left out");
      break;
    }
    std::string root = clean_text(json_text(volume, "root"), 8);
    auto drive_type = json_uint(volume, "drive_type").value_or(0);
    if (root.empty() || !is_storage(drive_type)) continue;
    if (root.back() != '\\') root += '\\';
    if (std::any_of(kept.begin(), kept.end(),
                    [&](const auto& k) { return to_lower(k.mount_point()) == to_lower(root); }))
      continue;

    v1::Filesystem f;
    f.set_mount_point(root);
    f.set_device(clean_text(json_text(volume, "volume_name"), kMaxText));
    f.set_fs_type(clean_text(json_text(volume, "file_system"), 32));
    // FAT labels are space-padded to 11 characters on disk.
    f.set_label(clean_text(trim(json_text(volume, "label")), kMaxText));
    f.set_network(drive_type == kDriveRemote);
    auto flags = json_uint(volume, "file_system_flags");
    f.set_read_only(drive_type == kDriveCdrom || (flags && (*flags & kReadOnlyVolume) != 0));
    if (auto dirty = json_bool(volume, "dirty")) f.set_dirty(*dirty);
    if (!f.network()) set_usage(volume, f);
    // An empty card reader or DVD drive answers "not ready": listed, without sizes.
    if (!f.network() && !f.has_size_bytes() && !json_text(volume, "error").empty()) ++not_ready;
    kept.push_back(std::move(f));
  }
  std::sort(kept.begin(), kept.end(),
            [](const auto& a, const auto& b) { return a.mount_point() < b.mount_point(); });
  for (auto& f : kept) *out.mutable_hardware()->add_filesystems() = std::move(f);
  if (not_ready > 0) ctx.note(std::to_string(not_ready) + " drive(s) without a readable volume");
  return {};
}

}  // namespace triage::agent
