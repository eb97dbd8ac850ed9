#include "collector/findings/rules/mount_owner.hpp"

namespace triage::collector::rules {
namespace {

/// "/var" contains "/var/log" but not "/variable"; "/" contains everything absolute.
bool contains(std::string_view mount_point, std::string_view path) {
  if (mount_point.empty() || !path.starts_with(mount_point)) return false;
  return mount_point.back() == '/' || path.size() == mount_point.size() ||
         path[mount_point.size()] == '/';
}

}  // namespace

bool mount_holds_path(const v1::HardwareInfo& hardware, std::string_view mount_point,
                      std::string_view path) {
  if (!contains(mount_point, path)) return false;
  for (const auto& fs : hardware.filesystems()) {
    if (fs.mount_point().size() > mount_point.size() && contains(fs.mount_point(), path))
      return false;
  }
  return true;
}

}  // namespace triage::collector::rules
