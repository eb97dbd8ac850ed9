#pragma once
// Which Windows processes the kill-process-windows action may end, by image name, decided on the
// endpoint whatever the order says; and how an image name is compared. Platform-neutral (tested
// natively); the endpoint side is actions/windows/kill_process_command.cpp.
//
// Refused: the processes Windows cannot lose without a blue screen or the end of every session
// (smss, csrss, wininit, winlogon, services, lsass, LsaIso, the System and Registry processes),
// the logon and lock screen (LogonUI: ending it must never unlock a session), svchost (one hosts
// several services, some of them critical: restart the service instead), and this agent.

#include <string_view>

#include "shared/util/result.hpp"

namespace triage::agent {

/// kDenied with the reason when `image_name` (a file name such as "lsass.exe", compared
/// case-insensitively) must never be ended by the action, or is not an `.exe` name.
Result<void> check_killable_windows_image(std::string_view image_name);

/// The file name of `image_path` ("C:\Windows\notepad.exe" -> "notepad.exe"; `\` or `/`).
std::string_view image_file_name(std::string_view image_path);

/// Whether the image at `image_path` is `expected`, by file name, case-insensitively (Windows
/// file names are).
bool same_image_name(std::string_view image_path, std::string_view expected);

}  // namespace triage::agent
