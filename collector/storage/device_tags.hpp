#pragma once
// A device's tags as both backends read them: one column, the tags joined by commas.

#include <string>
#include <vector>

namespace triage::collector {

/// The tags in `joined` (comma-separated, empty parts skipped), sorted.
std::vector<std::string> split_device_tags(const std::string& joined);

}  // namespace triage::collector
