// POSIX: lstat; bytes are allocated blocks, as du counts them (a sparse file takes less than its
// size), and a directory on another device is a mount point.
#include "agent/probes/directory_entry_facts.hpp"

#include <sys/stat.h>

namespace triage::agent {

std::optional<WalkVolume> walk_volume(const std::filesystem::path& dir) {
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return std::nullopt;
  return WalkVolume{static_cast<std::uint64_t>(st.st_dev)};
}

std::optional<EntryFacts> entry_facts(const std::filesystem::path& entry, WalkVolume volume) {
  struct stat st {};
  if (::lstat(entry.c_str(), &st) != 0) return std::nullopt;
  EntryFacts facts;
  facts.bytes = static_cast<std::uint64_t>(st.st_blocks) * 512;
  facts.directory = S_ISDIR(st.st_mode);
  facts.enter = facts.directory && static_cast<std::uint64_t>(st.st_dev) == volume.id;
  return facts;
}

}  // namespace triage::agent
