#include "collector/storage/device_tags.hpp"

#include <algorithm>

namespace triage::collector {

std::vector<std::string> split_device_tags(const std::string& joined) {
  std::vector<std::string> tags;
  std::size_t start = 0;
  while (start < joined.size()) {
    auto end = joined.find(',', start);
    if (end == std::string::npos) end = joined.size();
    if (end > start) tags.push_back(joined.substr(start, end - start));
    start = end + 1;
  }
  std::sort(tags.begin(), tags.end());
  return tags;
}

}  // namespace triage::collector
