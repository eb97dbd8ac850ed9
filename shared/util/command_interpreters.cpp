#include "shared/util/command_interpreters.hpp"

#include <algorithm>
#include <iterator>

namespace triage {

namespace {

// Compared after the directory and any trailing version ("3.11", "5.36.0") are removed.
constexpr std::string_view kInterpreters[] = {
    "ash",    "awk",   "bash",        "busybox", "chroot", "chrt",   "csh",     "dash",
    "doas",   "env",   "expect",      "fish",    "flock",  "gawk",   "gdb",     "ionice",
    "ksh",    "lua",   "luajit",      "mawk",    "mksh",   "nawk",   "nice",    "node",
    "nodejs", "nohup", "nsenter",     "perl",    "php",    "pkexec", "pwsh",    "python",
    "rbash",  "ruby",  "runuser",     "script",  "setsid", "sh",     "stdbuf",  "strace",
    "su",     "sudo",  "systemd-run", "taskset", "tclsh",  "tcsh",   "timeout", "unshare",
    "watch",  "wish",  "xargs",       "yash",    "zsh",    "Rscript"};

std::string_view base_name(std::string_view program) {
  auto slash = program.find_last_of('/');
  return slash == std::string_view::npos ? program : program.substr(slash + 1);
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
  const auto name = without_version(base_name(program));
  return std::find(std::begin(kInterpreters), std::end(kInterpreters), name) !=
         std::end(kInterpreters);
}

}  // namespace triage
