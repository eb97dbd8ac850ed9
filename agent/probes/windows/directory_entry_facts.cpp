// Windows: GetFileAttributesExW on the entry itself; bytes are the file's size (what Explorer
// shows as "Size"; compressed or sparse files take less). A mounted volume, a junction and a
// symbolic link are all reparse points: counted, never entered, so one volume id suffices.
#include "agent/probes/directory_entry_facts.hpp"

#include "shared/util/windows/windows_api.hpp"

namespace triage::agent {

namespace {

std::optional<WIN32_FILE_ATTRIBUTE_DATA> attributes_of(const std::filesystem::path& p) {
  WIN32_FILE_ATTRIBUTE_DATA data{};
  if (!::GetFileAttributesExW(p.c_str(), GetFileExInfoStandard, &data)) return std::nullopt;
  return data;
}

bool reparse_point(const WIN32_FILE_ATTRIBUTE_DATA& d) {
  return (d.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0;
}

bool directory(const WIN32_FILE_ATTRIBUTE_DATA& d) {
  return (d.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
}

}  // namespace

std::optional<WalkVolume> walk_volume(const std::filesystem::path& dir) {
  const auto data = attributes_of(dir);
  if (!data || !directory(*data) || reparse_point(*data)) return std::nullopt;
  return WalkVolume{};
}

std::optional<EntryFacts> entry_facts(const std::filesystem::path& entry, WalkVolume) {
  const auto data = attributes_of(entry);
  if (!data) return std::nullopt;
  EntryFacts facts;
  facts.directory = directory(*data);
  facts.enter = facts.directory && !reparse_point(*data);
  if (!facts.directory) {
    facts.bytes = (static_cast<std::uint64_t>(data->nFileSizeHigh) << 32) | data->nFileSizeLow;
  }
  return facts;
}

}  // namespace triage::agent
