#pragma once
// What the disk_usage walk needs to know of a directory entry, read without following links:
// the platform seam of agent/probes/disk_usage_probe.cpp (posix/: lstat, allocated blocks and
// the device number; windows/: GetFileAttributesExW, the file size, and reparse points, which
// junctions, links and mounted volumes all are, never entered).

#include <cstdint>
#include <filesystem>
#include <optional>

namespace triage::agent {

/// The filesystem a walk started on; entries on another one are counted but not entered.
struct WalkVolume {
  std::uint64_t id = 0;
};

struct EntryFacts {
  std::uint64_t bytes = 0;  ///< what the entry itself takes on disk
  bool directory = false;
  bool enter = false;  ///< a directory on the walk's volume, not a link or junction
};

/// The volume of `dir`; nullopt when it is not a directory this process can read (a link to
/// one is not a directory here).
std::optional<WalkVolume> walk_volume(const std::filesystem::path& dir);

/// Facts of `entry`; nullopt when it vanished or cannot be read.
std::optional<EntryFacts> entry_facts(const std::filesystem::path& entry, WalkVolume volume);

}  // namespace triage::agent
