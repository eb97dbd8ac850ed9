#include "collector/findings/rules/filesystem_filter.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <string_view>

namespace triage::collector::rules {

bool is_writable_storage(const v1::Filesystem& filesystem) {
  // Lower case as Linux names them; Windows names the same formats in capitals ("UDF", "CDFS").
  static constexpr std::array<std::string_view, 7> kImageTypes = {
      "squashfs", "iso9660", "udf", "erofs", "cramfs", "fuse.snapfuse", "cdfs"};
  if (filesystem.read_only()) return false;
  std::string type = filesystem.fs_type();
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::find(kImageTypes.begin(), kImageTypes.end(), type) == kImageTypes.end();
}

}  // namespace triage::collector::rules
