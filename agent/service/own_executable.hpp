#pragma once
// The agent's own program file, for running itself again (the snapshot helper) and for
// registering itself as a service. Each platform has one implementation (Linux:
// linux/own_executable.cpp, Windows: windows/own_executable.cpp).

#include <filesystem>

namespace triage::agent {

/// Linux: /proc/self/exe, the running binary itself even after a package upgrade replaced the
/// file on disk. Windows: the drive-absolute path GetModuleFileNameW gives (the file cannot be
/// replaced while it runs). Empty when the system does not say.
std::filesystem::path own_executable();

}  // namespace triage::agent
