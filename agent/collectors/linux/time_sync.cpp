// Clock synchronisation: the kernel's own state (adjtimex: synchronised flag, offset, maximum
// error) plus which time daemon is installed/active. Linux; any user; one syscall, few files.
#include "agent/collectors/linux/time_sync.hpp"

namespace triage::agent {

std::string detect_time_service(const FsRoot& fs) {
  // Running daemons leave these behind; configuration alone says less.
  if (fs.exists("/run/systemd/timesync/synchronized") || fs.exists("/run/systemd/timesync"))
    return "systemd-timesyncd";
  if (fs.exists("/run/chrony/chronyd.pid") || fs.exists("/var/run/chronyd.pid")) return "chronyd";
  if (fs.exists("/run/ntpd.pid") || fs.exists("/var/run/ntpd.pid")) return "ntpd";
  if (fs.exists("/etc/chrony/chrony.conf") || fs.exists("/etc/chrony.conf"))
    return "chronyd (configured)";
  if (fs.exists("/etc/ntp.conf") || fs.exists("/etc/ntpsec/ntp.conf")) return "ntpd (configured)";
  if (fs.exists("/etc/systemd/timesyncd.conf")) return "systemd-timesyncd (configured)";
  return {};
}

Result<void> collect_time_sync(CollectContext& ctx, v1::Snapshot& out) {
  auto* ts = out.mutable_system()->mutable_time_sync();
  ts->set_service(detect_time_service(ctx.fs()));
  auto clock = ctx.host().clock_state();
  if (!clock) {
    ctx.note("kernel clock state: " + clock.error().message);
    // systemd-timesyncd marks a successful sync with this file.
    if (ctx.fs().exists("/run/systemd/timesync/synchronized")) ts->set_synchronized(true);
    return {};
  }
  ts->set_synchronized(clock->synchronized);
  ts->set_offset_ms(clock->offset_ms);
  ts->set_max_error_ms(clock->max_error_ms);
  return {};
}

}  // namespace triage::agent
