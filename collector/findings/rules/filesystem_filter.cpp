#include "collector/findings/rules/filesystem_filter.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace triage::collector::rules {

bool is_writable_storage(const v1::Filesystem& filesystem) {
  static constexpr std::array<std::string_view, 6> kImageTypes = {
      "squashfs", "iso9660", "udf", "erofs", "cramfs", "fuse.snapfuse"};
  if (filesystem.read_only()) return false;
  return std::find(kImageTypes.begin(), kImageTypes.end(), filesystem.fs_type()) ==
         kImageTypes.end();
}

}  // namespace triage::collector::rules
