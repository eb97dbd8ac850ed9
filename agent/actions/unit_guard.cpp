#include "agent/actions/unit_guard.hpp"

#include <algorithm>
#include <array>
#include <string>

namespace triage::agent {

namespace {

struct DeniedUnit {
  std::string_view name;  ///< a full unit name, or a template prefix ending in '@'
  std::string_view why;
};

constexpr std::string_view kShell = "opens a root shell on a console";
constexpr std::string_view kPower = "changes the power state of the computer";
constexpr std::string_view kSessions = "ends the sessions of logged-in users";
constexpr std::string_view kSystem = "takes the running system down";

constexpr std::array kDenied = {
    DeniedUnit{"debug-shell.service", kShell},
    DeniedUnit{"emergency.service", kShell},
    DeniedUnit{"rescue.service", kShell},
    DeniedUnit{"console-getty.service", kShell},
    DeniedUnit{"console-shell.service", kShell},
    DeniedUnit{"getty@", kShell},
    DeniedUnit{"serial-getty@", kShell},
    DeniedUnit{"container-getty@", kShell},
    DeniedUnit{"autovt@", kShell},
    DeniedUnit{"systemd-firstboot.service", kShell},
    DeniedUnit{"single.service", kShell},
    DeniedUnit{"systemd-reboot.service", kPower},
    DeniedUnit{"systemd-poweroff.service", kPower},
    DeniedUnit{"systemd-halt.service", kPower},
    DeniedUnit{"systemd-kexec.service", kPower},
    DeniedUnit{"systemd-soft-reboot.service", kPower},
    DeniedUnit{"systemd-suspend.service", kPower},
    DeniedUnit{"systemd-hibernate.service", kPower},
    DeniedUnit{"systemd-hybrid-sleep.service", kPower},
    DeniedUnit{"systemd-suspend-then-hibernate.service", kPower},
    // Debian's kexec-tools: stopping kexec.service executes the loaded kernel at once.
    DeniedUnit{"kexec.service", kPower},
    DeniedUnit{"kexec-load.service", kPower},
    // Scripts of sysvinit's shutdown sequence, generated into units where they still exist.
    DeniedUnit{"halt.service", kPower},
    DeniedUnit{"reboot.service", kPower},
    DeniedUnit{"poweroff.service", kPower},
    DeniedUnit{"sendsigs.service", kPower},
    DeniedUnit{"killprocs.service", kPower},
    DeniedUnit{"umountfs.service", kPower},
    DeniedUnit{"umountroot.service", kPower},
    DeniedUnit{"umountnfs.service", kPower},
    DeniedUnit{"display-manager.service", kSessions},
    DeniedUnit{"gdm.service", kSessions},
    DeniedUnit{"gdm3.service", kSessions},
    DeniedUnit{"lightdm.service", kSessions},
    DeniedUnit{"sddm.service", kSessions},
    DeniedUnit{"xdm.service", kSessions},
    DeniedUnit{"lxdm.service", kSessions},
    DeniedUnit{"slim.service", kSessions},
    DeniedUnit{"nodm.service", kSessions},
    DeniedUnit{"user@", kSessions},
    DeniedUnit{"user-runtime-dir@", kSessions},
    DeniedUnit{"dbus.service", kSystem},
    DeniedUnit{"dbus-broker.service", kSystem},
    DeniedUnit{"systemd-fsck-root.service", kSystem},
    DeniedUnit{"systemd-fsck@", kSystem},
    DeniedUnit{"systemd-cryptsetup@", kSystem},
    DeniedUnit{"triage-agent.service", "stops this agent and the order it runs"},
};

}  // namespace

Result<void> check_restartable_unit(std::string_view unit) {
  constexpr std::string_view kSuffix = ".service";
  const std::string shown(unit.substr(0, 100));
  if (unit.size() <= kSuffix.size() || unit.substr(unit.size() - kSuffix.size()) != kSuffix) {
    return fail(ErrorCode::kDenied,
                "restart-service restarts .service units only, not `" + shown + "`");
  }
  // Boot-time units: switch-root and friends never belong to a running system.
  for (std::string_view prefix : {"initrd-", "plymouth-"}) {
    if (unit.substr(0, prefix.size()) == prefix) {
      return fail(ErrorCode::kDenied, "restart-service refuses " + shown +
                                          ": a boot or shutdown unit is never restarted");
    }
  }
  for (const auto& denied : kDenied) {
    const bool is_template = denied.name.back() == '@';
    const bool hit =
        is_template ? unit.substr(0, denied.name.size()) == denied.name : unit == denied.name;
    if (hit) {
      return fail(ErrorCode::kDenied, "restart-service refuses " + shown + ": restarting it " +
                                          std::string(denied.why));
    }
  }
  return {};
}

}  // namespace triage::agent
