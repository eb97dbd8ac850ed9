#pragma once
// What the process runner gives a program on Windows besides its argv: the system folders it
// searches for a bare program name, and the whole environment. Windows only.

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "shared/util/result.hpp"

namespace triage {

/// The Windows folder (GetSystemWindowsDirectoryW: "C:\Windows").
std::filesystem::path windows_directory();

/// Where a bare program name is looked up, in order: System32, the Windows folder,
/// System32\Wbem. The caller's PATH is never used.
std::vector<std::filesystem::path> program_search_directories();

/// The child's whole environment block for CreateProcessW (CREATE_UNICODE_ENVIRONMENT):
/// SystemRoot and windir (Winsock needs them), SystemDrive, TEMP and TMP, PATH set to
/// program_search_directories(), then `extra` (replacing a default of the same name, without
/// regard to case). Nothing is inherited. Sorted by name without regard to case, as Windows
/// requires. Fails on a name that is empty or holds '=' or NUL, or text that is not UTF-8.
Result<std::wstring> child_environment_block(
    const std::vector<std::pair<std::string, std::string>>& extra);

}  // namespace triage
