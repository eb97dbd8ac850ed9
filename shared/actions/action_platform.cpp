#include "shared/actions/action_platform.hpp"

namespace triage::actions {

bool is_known_platform(std::string_view platform) {
  return platform == kPlatformLinux || platform == kPlatformWindows;
}

bool is_absolute_program_path(std::string_view platform, std::string_view path) {
  if (platform == kPlatformLinux) return !path.empty() && path.front() == '/';
  if (platform != kPlatformWindows) return false;
  // "X:\" then a file name: the drive's letter, its colon and a separator.
  if (path.size() < 4) return false;
  const char drive = path[0];
  const bool letter = (drive >= 'A' && drive <= 'Z') || (drive >= 'a' && drive <= 'z');
  return letter && path[1] == ':' && (path[2] == '\\' || path[2] == '/');
}

}  // namespace triage::actions
