#include "shared/util/command_interpreters.hpp"

#include <algorithm>
#include <iterator>
#include <string>

namespace triage {

namespace {

// Compared in lower case after the directory, the extension and any trailing version ("3.11",
// "5.36.0") are removed; names that end in digits of their own (rundll32) are also compared
// whole.
constexpr std::string_view kInterpreters[] = {
    // POSIX shells, interpreters and exec wrappers.
    "ash", "awk", "bash", "busybox", "chroot", "chrt", "csh", "dash", "doas", "env", "expect",
    "fish", "flock", "gawk", "gdb", "ionice", "ksh", "lua", "luajit", "mawk", "mksh", "nawk",
    "nice", "node", "nodejs", "nohup", "nsenter", "perl", "php", "pkexec", "pwsh", "python",
    "rbash", "ruby", "runuser", "script", "setsid", "sh", "stdbuf", "strace", "su", "sudo",
    "systemd-run", "taskset", "tclsh", "tcsh", "timeout", "unshare", "watch", "wish", "xargs",
    "yash", "zsh", "rscript",
    // Windows: shells and script hosts, the DLL and installer runners, the Linux subsystem,
    // and programs whose purpose is to start the command line they are given.
    "cmd", "powershell", "powershell_ise", "wscript", "cscript", "mshta", "rundll32", "regsvr32",
    "msiexec", "wsl", "conhost", "forfiles", "runas", "explorer"};

// Files Windows does not execute itself but hands to an interpreter: CreateProcess runs .bat
// and .cmd through cmd.exe; the shell opens the others with their script host or installer.
constexpr std::string_view kScriptExtensions[] = {"bat", "cmd", "ps1", "psm1", "vbs", "vbe",
                                                  "js",  "jse", "wsf", "wsh",  "hta", "msi",
                                                  "msp", "cpl", "lnk", "scf",  "url"};

// Extensions of programs that run directly; dropped before the name is compared.
constexpr std::string_view kProgramExtensions[] = {"exe", "com"};

template <std::size_t N>
bool listed(const std::string_view (&list)[N], std::string_view name) {
  return std::find(std::begin(list), std::end(list), name) != std::end(list);
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

/// The file name as the system opens it: no directory, no drive ("C:cmd.exe"), no alternate
/// stream ("cmd.exe::$DATA"), no trailing dots or spaces (Windows drops them).
std::string_view file_name(std::string_view program) {
  auto sep = program.find_last_of("/\\");
  std::string_view name = sep == std::string_view::npos ? program : program.substr(sep + 1);
  if (name.size() >= 2 && name[1] == ':' &&
      ((name[0] >= 'A' && name[0] <= 'Z') || (name[0] >= 'a' && name[0] <= 'z'))) {
    name.remove_prefix(2);
  }
  if (auto colon = name.find(':'); colon != std::string_view::npos) name = name.substr(0, colon);
  while (!name.empty() && (name.back() == '.' || name.back() == ' ')) name.remove_suffix(1);
  return name;
}

std::string_view without_version(std::string_view name) {
  auto end = name.size();
  while (end > 0 && ((name[end - 1] >= '0' && name[end - 1] <= '9') || name[end - 1] == '.' ||
                     name[end - 1] == '-')) {
    --end;
  }
  return end == 0 ? name : name.substr(0, end);
}

}  // namespace

bool is_command_interpreter(std::string_view program) {
  const std::string name = lower_ascii(file_name(program));
  std::string_view stem = name;
  if (auto dot = stem.rfind('.'); dot != std::string_view::npos && dot > 0) {
    const auto extension = stem.substr(dot + 1);
    if (listed(kScriptExtensions, extension)) return true;
    if (listed(kProgramExtensions, extension)) stem = stem.substr(0, dot);
  }
  return listed(kInterpreters, stem) || listed(kInterpreters, without_version(stem));
}

}  // namespace triage
