// Sources: api "boot" (win_api_names.hpp); in HKLM\SYSTEM\CurrentControlSet,
// Control\TimeZoneInformation (TimeZoneKeyName) and Services\W32Time\Parameters (Type,
// NtpServer). The clock's synchronisation state and offset are w32time's own (w32tm /query
// /status asks the service over RPC): not read here; the probes source measures the offset
// against w32time's NTP servers (windows_probes.cpp).
#include "agent/collectors/windows_sources/windows_boot.hpp"

#include "agent/collectors/text.hpp"
#include "agent/collectors/windows_sources/win_values.hpp"
#include "agent/collectors/windows_sources/windows_time_service.hpp"
#include "agent/collectors/windows_sources/windows_time_zones.hpp"

namespace triage::agent {
namespace {

constexpr std::string_view kTimeZoneKey =
    "HKLM\\SYSTEM\\CurrentControlSet\\Control\\TimeZoneInformation";
constexpr std::size_t kMaxText = 256;

}  // namespace

Result<void> collect_windows_boot(CollectContext& ctx, v1::Snapshot& out) {
  WinHost* win = windows_host(ctx);
  if (!win) return {};
  auto* sys = out.mutable_system();

  if (auto boot = win->api("boot")) {
    auto ms = json_uint(*boot, "boot_time_unix_ms");
    // Whole seconds: the instant comes from a tick count, and a boot time that moves by a few
    // milliseconds between snapshots would show as a change.
    if (ms && *ms > 0 && static_cast<std::int64_t>(*ms) <= ctx.host().now_unix_ms()) {
      sys->set_boot_time_unix_ms(static_cast<std::int64_t>(*ms / 1000 * 1000));
    } else {
      ctx.note("boot time: the answer has no plausible boot_time_unix_ms");
    }
  } else {
    ctx.note("boot time: " + boot.error().message);
  }

  if (auto zone = win->registry(kTimeZoneKey)) {
    auto name = clean_text(zone->text("TimeZoneKeyName"), kMaxText);
    auto iana = iana_time_zone(name);
    // A zone the table does not know is still worth showing under its Windows name.
    sys->set_timezone(iana.empty() ? name : iana);
    // Unticked "Adjust for daylight saving time automatically": the clock is an hour off for
    // half the year, a classic "my meetings are wrong" ticket.
    if (zone->number("DynamicDaylightTimeDisabled").value_or(0) != 0)
      ctx.note("automatic daylight saving time adjustment is turned off");
  } else {
    ctx.note("time zone: " + zone.error().message);
  }

  if (auto parameters = win->registry(kW32TimeParameters)) {
    auto* sync = sys->mutable_time_sync();
    sync->set_service(clean_text(w32time_description(*parameters), kMaxText));
    // Told not to synchronise, the clock is on its own: that much is known without asking
    // the service. Otherwise whether it is in sync is w32time's to say (its offset is measured
    // by the probes source against the same servers).
    if (!w32time_synchronises(*parameters)) sync->set_synchronized(false);
  } else {
    ctx.note("time service: w32time is not configured (" + parameters.error().message + ")");
  }
  return {};
}

}  // namespace triage::agent
