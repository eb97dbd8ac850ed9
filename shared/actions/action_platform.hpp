#pragma once
// The platforms an action definition (and so an order) names, and what an absolute program
// path is on each: the collector checks definitions with it, the agent the orders it gets.

#include <string_view>

namespace triage::actions {

/// The platform names of action definitions, orders and the agent's hello.
inline constexpr std::string_view kPlatformLinux = "linux";
inline constexpr std::string_view kPlatformWindows = "windows";

/// Whether `platform` is one of the names above.
bool is_known_platform(std::string_view platform);

/// Whether `path` names a program by an absolute path on `platform`: "/..." on Linux; on
/// Windows a drive-absolute "C:\..." (or "C:/..."), never a drive-relative "C:x", a rooted
/// "\x" that depends on the current drive, a UNC or device path ("\\server\share",
/// "\\?\..."). False for an unknown platform.
bool is_absolute_program_path(std::string_view platform, std::string_view path);

}  // namespace triage::actions
