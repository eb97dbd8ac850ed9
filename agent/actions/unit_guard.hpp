#pragma once
// Which systemd units the restart-service action may name, decided on the endpoint whatever
// the order says. Restarting (or, through an alias or a stopped unit, starting) some units is
// not "restarting a service": it opens a root shell on a console (debug-shell, emergency,
// rescue, the gettys), changes the power state at once (systemd-reboot and friends, Debian's
// kexec, the old sysvinit halt/reboot scripts), ends every user's session (display managers,
// user@), or takes the whole system or this agent down. Those are refused here; the action
// itself uses `systemctl try-restart`, which touches only units already loaded and active.

#include <string_view>

#include "shared/util/result.hpp"

namespace triage::agent {

/// kDenied with the reason when restart-service must not touch `unit`; also refuses any unit
/// that is not a `.service`.
Result<void> check_restartable_unit(std::string_view unit);

}  // namespace triage::agent
