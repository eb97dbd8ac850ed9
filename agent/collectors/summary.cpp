#include "agent/collectors/summary.hpp"

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <iterator>
#include <string>
#include <vector>

namespace triage::agent {
namespace {

using v1::CollectorStatus;

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string utc_time(std::int64_t unix_ms) {
  if (unix_ms <= 0) return "?";
  // The calendar of <chrono>, not gmtime_r (POSIX): the same text on every platform.
  using namespace std::chrono;
  const sys_seconds t{seconds(unix_ms / 1000)};
  const auto day = floor<days>(t);
  const year_month_day date(day);
  const hh_mm_ss time(t - day);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d UTC", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()));
  return buf;
}

std::string duration(std::int64_t ms) {
  auto s = ms / 1000;
  if (s < 3600) return std::to_string(s / 60) + " min";
  if (s < 86400 * 2)
    return std::to_string(s / 3600) + " h " + std::to_string(s % 3600 / 60) + " min";
  return std::to_string(s / 86400) + " days";
}

void heading(std::ostream& out, const char* title) { out << "\n== " << title << " ==\n"; }
void line(std::ostream& out, const char* label, const std::string& value) {
  if (value.empty()) return;
  std::string padded = std::string(label) + ":";
  padded.resize(18, ' ');
  out << "  " << padded << value << "\n";
}

bool sys_is_windows(const v1::Snapshot& s) { return s.system().os_id() == "windows"; }

/// Observations a technician should look at first.
std::vector<std::string> notable(const v1::Snapshot& s) {
  std::vector<std::string> n;
  const auto& sys = s.system();
  if (sys.pending_reboot().required())
    n.push_back("reboot pending (" + sys.pending_reboot().reasons(0) + ")");
  if (sys.time_sync().has_synchronized() && !sys.time_sync().synchronized())
    n.push_back("clock not synchronised");
  const auto& mem = s.hardware().memory();
  if (mem.has_used_percent() && mem.used_percent() >= 90)
    n.push_back("memory " + fmt("%.0f%%", mem.used_percent()) + " used");
  for (const auto& f : s.hardware().filesystems()) {
    if (f.has_used_percent() && f.used_percent() >= 90)
      n.push_back("filesystem " + f.mount_point() + " " + fmt("%.0f%%", f.used_percent()) +
                  " full");
    if (f.has_inodes_used_percent() && f.inodes_used_percent() >= 90)
      n.push_back("filesystem " + f.mount_point() + " out of inodes");
  }
  for (const auto& sensor : s.hardware().sensors()) {
    if (sensor.kind() == v1::Sensor::TEMPERATURE && sensor.has_high() &&
        sensor.value() >= sensor.high()) {
      n.push_back(sensor.chip() + " " + sensor.label() + " at " + fmt("%.0f C", sensor.value()) +
                  " (limit " + fmt("%.0f C", sensor.high()) + ")");
    }
  }
  for (const auto& d : s.hardware().block_devices()) {
    if (d.smart().health() == v1::SmartStatus::FAILING)
      n.push_back("disk " + d.name() + " SMART health FAILING");
  }
  for (const auto& a : s.hardware().raid_arrays()) {
    if (a.degraded()) n.push_back("RAID " + a.name() + " degraded");
  }
  for (const auto& b : s.hardware().batteries()) {
    if (b.has_health_percent() && b.health_percent() < 60)
      n.push_back("battery " + b.name() + " worn (" + fmt("%.0f%%", b.health_percent()) +
                  " of design)");
  }
  const auto& svc = s.software().services();
  const bool windows = sys_is_windows(s);
  if (svc.failed_count() > 0)
    n.push_back(std::to_string(svc.failed_count()) +
                (windows ? " service(s) stopped after a failure" : " failed systemd unit(s)"));
  if (svc.stopped_auto_start() > 0)
    n.push_back(std::to_string(svc.stopped_auto_start()) + " automatic service(s) not running");
  const auto& up = s.software().updates();
  if (up.security_count() > 0)
    n.push_back(std::to_string(up.security_count()) + " security update(s) pending");
  constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;
  if (up.last_installed_unix_ms() > 0 && s.collected_at_unix_ms() > 0 &&
      s.collected_at_unix_ms() - up.last_installed_unix_ms() > 30 * kDayMs) {
    n.push_back("no update installed for " +
                std::to_string((s.collected_at_unix_ms() - up.last_installed_unix_ms()) / kDayMs) +
                " days");
  }
  const auto& av = s.security().antivirus();
  if (av.has_enabled() && !av.enabled()) {
    n.push_back("antivirus off (" + av.product() + ")");
  } else if (av.has_real_time_protection() && !av.real_time_protection()) {
    n.push_back("antivirus real-time protection off");
  }
  if (av.signatures_updated_unix_ms() > 0 && s.collected_at_unix_ms() > 0 &&
      s.collected_at_unix_ms() - av.signatures_updated_unix_ms() > 3 * kDayMs) {
    n.push_back(
        "antivirus signatures " +
        std::to_string((s.collected_at_unix_ms() - av.signatures_updated_unix_ms()) / kDayMs) +
        " days old");
  }
  for (const auto& v : s.security().encrypted_volumes()) {
    if (v.system_volume() && v.has_protection_on() && !v.protection_on())
      n.push_back("BitLocker off on the system volume " + v.name());
  }
  for (const auto& p : s.security().firewall().profiles()) {
    if (p.current() && !p.enabled()) n.push_back("firewall off for the " + p.name() + " network");
  }
  if (s.health().bugchecks_size() > 0) {
    const v1::Bugcheck* newest = &s.health().bugchecks(0);
    for (const auto& b : s.health().bugchecks()) {
      if (b.time_unix_ms() > newest->time_unix_ms()) newest = &b;
    }
    n.push_back(std::to_string(s.health().bugchecks_size()) +
                " stop error(s) (blue screen) recorded, the last " + newest->code() + " at " +
                utc_time(newest->time_unix_ms()));
  }
  const auto& commit = s.health().commit();
  if (commit.has_used_percent() && commit.used_percent() >= 90)
    n.push_back("commit charge " + fmt("%.0f%%", commit.used_percent()) + " of its limit");
  for (const auto& p : s.software().top_processes()) {
    if (p.cpu_percent() >= 90)
      n.push_back("process " + p.name() + " (pid " + std::to_string(p.pid()) + ") at " +
                  fmt("%.0f%%", p.cpu_percent()) + " CPU");
  }
  for (const auto& p : s.network().probes()) {
    if (p.result() == v1::Probe::FAILED || p.result() == v1::Probe::TIMEOUT)
      n.push_back("probe " + v1::Probe::Kind_Name(p.kind()) + " " + p.target() +
                  " failed: " + p.message());
  }
  const auto& kl = s.health().kernel_log();
  if (kl.oom_kills() > 0) n.push_back(std::to_string(kl.oom_kills()) + " OOM kill(s) since boot");
  if (kl.io_errors() > 0)
    n.push_back(std::to_string(kl.io_errors()) + " kernel I/O error(s) since boot");
  if (s.health().printing().stuck_jobs() > 0)
    n.push_back(std::to_string(s.health().printing().stuck_jobs()) + " stuck print job(s)");
  if (s.health().pressure().memory_some().avg60() >= 10)
    n.push_back("memory pressure " + fmt("%.0f%%", s.health().pressure().memory_some().avg60()) +
                " (60 s)");
  const auto& psi = s.health().pressure();
  if (psi.cpu_some().avg60() >= 50)
    n.push_back("CPU pressure " + fmt("%.0f%%", psi.cpu_some().avg60()) +
                " (60 s): tasks wait for CPU");
  if (psi.io_some().avg60() >= 20)
    n.push_back("I/O pressure " + fmt("%.0f%%", psi.io_some().avg60()) +
                " (60 s): tasks wait for disk");
  return n;
}

}  // namespace

std::string human_bytes(std::uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 5) v /= 1024, ++u;
  return u == 0 ? std::to_string(bytes) + " B" : fmt(v < 10 ? "%.1f " : "%.0f ", v) + units[u];
}

void render_summary(const v1::Snapshot& s, std::ostream& out) {
  const auto& sys = s.system();
  out << "triage snapshot of " << (sys.hostname().empty() ? "?" : sys.hostname()) << " at "
      << utc_time(s.collected_at_unix_ms()) << "\n";
  auto issues = notable(s);
  if (!issues.empty()) {
    heading(out, "Needs attention");
    for (const auto& i : issues) out << "  ! " << i << "\n";
  }
  if (s.has_system()) {
    heading(out, "System");
    line(out, "OS", sys.os_pretty_name());
    line(out, "Kernel",
         sys.kernel_release().empty() ? "" : sys.kernel_release() + " (" + sys.arch() + ")");
    if (sys.boot_time_unix_ms() > 0)
      line(out, "Up since",
           utc_time(sys.boot_time_unix_ms()) + ", " +
               duration(s.collected_at_unix_ms() - sys.boot_time_unix_ms()));
    line(out, "Time zone", sys.timezone());
    if (sys.has_time_sync()) {
      const auto& t = sys.time_sync();
      std::string v = !t.has_synchronized() ? "unknown"
                      : t.synchronized()    ? "synchronised"
                                            : "NOT synchronised";
      if (t.has_offset_ms()) v += fmt(", offset %.1f ms", t.offset_ms());
      if (!t.service().empty()) v += " (" + t.service() + ")";
      line(out, "Clock", v);
    }
    if (sys.has_windows()) {
      const auto& w = sys.windows();
      static constexpr const char* kJoin[] = {"", "workgroup", "domain", "Entra ID",
                                              "domain and Entra ID (hybrid)"};
      const auto join = static_cast<std::size_t>(w.join_state());
      line(out, "Windows",
           w.edition() + " build " + std::to_string(w.build()) + "." + std::to_string(w.ubr()) +
               (w.product_type().empty() ? "" : ", " + w.product_type()));
      if (join > 0 && join < std::size(kJoin))
        line(out, "Joined to",
             std::string(kJoin[join]) + (w.domain().empty() ? "" : " " + w.domain()) +
                 (w.entra_tenant().empty() ? "" : " " + w.entra_tenant()));
    }
    line(out, "Virtualization", sys.virtualization());
    line(out, "Reboot pending", sys.pending_reboot().required() ? "yes" : "no");
    for (const auto& u : sys.sessions())
      line(out, "Logged in",
           u.user() + " on " + u.tty() +
               (u.remote_host().empty() ? "" : " from " + u.remote_host()));
  }
  if (s.has_hardware()) {
    const auto& hw = s.hardware();
    heading(out, "Hardware");
    if (!hw.dmi().sys_vendor().empty())
      line(out, "Machine",
           hw.dmi().sys_vendor() + " " + hw.dmi().product_name() +
               (hw.dmi().product_serial().empty() ? ""
                                                  : " (serial " + hw.dmi().product_serial() + ")"));
    if (!hw.dmi().bios_version().empty())
      line(out, "BIOS",
           hw.dmi().bios_vendor() + " " + hw.dmi().bios_version() + " " + hw.dmi().bios_date());
    if (hw.has_cpu())
      line(out, "CPU",
           hw.cpu().model_name() + ", " + std::to_string(hw.cpu().physical_cores()) + " cores / " +
               std::to_string(hw.cpu().logical_cpus()) + " threads" +
               (hw.cpu().has_max_mhz() ? ", max " + std::to_string(hw.cpu().max_mhz()) + " MHz"
                                       : ""));
    if (hw.has_memory()) {
      const auto& m = hw.memory();
      line(out, "Memory",
           human_bytes(m.total_bytes()) + " total, " + human_bytes(m.available_bytes()) +
               " available" +
               (m.swap_total_bytes()
                    ? ", swap " + human_bytes(m.swap_total_bytes() - m.swap_free_bytes()) + " / " +
                          human_bytes(m.swap_total_bytes()) + " used"
                    : ""));
    }
    for (const auto& d : hw.block_devices()) {
      std::string smart = d.smart().health() == v1::SmartStatus::PASSED    ? ", SMART ok"
                          : d.smart().health() == v1::SmartStatus::FAILING ? ", SMART FAILING"
                                                                           : "";
      line(out, "Disk",
           d.name() + " " + human_bytes(d.size_bytes()) +
               (d.model().empty() ? "" : " " + d.model()) +
               (d.rotational() && d.kind() == v1::BlockDevice::DISK ? " (HDD)" : "") + smart);
    }
    for (const auto& a : hw.raid_arrays())
      line(out, "RAID",
           a.name() + " " + a.level() + " " + a.state() + (a.degraded() ? " DEGRADED" : ""));
    for (const auto& f : hw.filesystems()) {
      std::string usage = f.has_used_percent() ? fmt("%.0f%%", f.used_percent()) + " of " +
                                                     human_bytes(f.size_bytes()) + ", " +
                                                     human_bytes(f.free_bytes()) + " free"
                                               : "usage not read";
      line(out, "Filesystem",
           f.mount_point() + " (" + f.fs_type() + ") " + usage +
               (f.read_only() ? ", READ-ONLY" : ""));
    }
    for (const auto& g : hw.gpus()) line(out, "GPU", g.vendor() + " " + g.model());
    if (hw.has_cpu_temperature_c())
      line(out, "CPU temperature", fmt("%.0f C", hw.cpu_temperature_c()));
    for (const auto& sensor : hw.sensors()) {
      if (sensor.kind() == v1::Sensor::FAN)
        line(out, "Fan",
             sensor.chip() + " " + sensor.label() + " " + fmt("%.0f RPM", sensor.value()));
    }
    for (const auto& b : hw.batteries()) {
      line(out, "Battery",
           b.name() + " " +
               (b.has_charge_percent() ? fmt("%.0f%%", b.charge_percent()) : std::string("?")) +
               " " + v1::Battery::Status_Name(b.status()) +
               (b.has_health_percent() ? ", health " + fmt("%.0f%%", b.health_percent()) : ""));
    }
    if (hw.pci_devices_size() + hw.usb_devices_size() > 0)
      line(out, "Devices",
           std::to_string(hw.pci_devices_size()) + " PCI, " +
               std::to_string(hw.usb_devices_size()) + " USB");
  }
  if (s.has_software()) {
    const auto& sw = s.software();
    heading(out, "Software");
    line(out, "Packages", std::to_string(sw.packages_size()) + " installed");
    if (sw.updates().has_pending_count())
      line(out, "Updates",
           std::to_string(sw.updates().pending_count()) + " pending, " +
               std::to_string(sw.updates().security_count()) + " security" +
               (sw.updates().complete() ? "" : " (lists partly read)"));
    const auto& ps = sw.process_summary();
    if (ps.total() > 0)
      line(out, "Processes",
           std::to_string(ps.total()) + (sys_is_windows(s)
                                             ? std::string()
                                             : " (" + std::to_string(ps.zombies()) + " zombie, " +
                                                   std::to_string(ps.blocked()) + " in D state)"));
    int shown = 0;
    for (const auto& p : sw.top_processes()) {
      if (shown++ >= 5) break;
      line(out, "Top",
           fmt("%5.1f%% CPU ", p.cpu_percent()) + human_bytes(p.rss_bytes()) + "  " + p.user() +
               "  " + p.command_line().substr(0, 60));
    }
    const auto& svc = sw.services();
    if (!svc.manager().empty() && !svc.systemd_running()) {
      line(out, "Services",
           std::to_string(svc.units_size()) + " (" + svc.manager() + "), " +
               std::to_string(svc.stopped_auto_start()) + " automatic not running");
      // The source decides which automatic services are stopped by design; by name here
      // only those that stopped after a failure.
      for (const auto& u : svc.units()) {
        // 1077: never started since boot, not a failure.
        if (u.exit_code() != 0 && u.exit_code() != 1077 &&
            u.active_state() == v1::ServiceUnit::INACTIVE)
          line(out, "Failed service",
               u.name() + " (" + u.description() + "), exit code " + std::to_string(u.exit_code()));
      }
    }
    if (sw.hotfixes_size() > 0) line(out, "Hotfixes", std::to_string(sw.hotfixes_size()));
    if (svc.systemd_running()) {
      line(out, "systemd",
           svc.system_state() + ", " + std::to_string(svc.failed_count()) + " failed unit(s)");
      for (const auto& u : svc.units()) {
        if (u.active_state() == v1::ServiceUnit::FAILED) line(out, "Failed unit", u.name());
      }
    }
  }
  if (s.has_network()) {
    const auto& net = s.network();
    heading(out, "Network");
    for (const auto& i : net.interfaces()) {
      if (i.kind() == v1::NetworkInterface::LOOPBACK) continue;
      std::string v = i.name() + " " + v1::NetworkInterface::OperState_Name(i.state());
      for (const auto& a : i.addresses()) {
        if (a.scope() == "global") v += " " + a.address() + "/" + std::to_string(a.prefix_length());
      }
      if (i.has_speed_mbps()) v += " " + std::to_string(i.speed_mbps()) + " Mb/s";
      if (i.has_wifi_signal_dbm()) v += " signal " + std::to_string(i.wifi_signal_dbm()) + " dBm";
      line(out, "Interface", v);
    }
    line(out, "Gateway",
         net.default_gateway().empty() ? "none"
                                       : net.default_gateway() + " via " + net.default_interface());
    std::string dns;
    for (const auto& n : net.dns().nameservers()) dns += (dns.empty() ? "" : ", ") + n;
    std::string upstream;
    for (const auto& n : net.dns().upstream_nameservers())
      upstream += (upstream.empty() ? "" : ", ") + n;
    if (!upstream.empty()) dns += " (forwarding to " + upstream + ")";
    line(out, "DNS", dns.empty() ? "none configured" : dns);
    for (const auto& p : net.proxies())
      line(out, "Proxy", p.variable() + "=" + p.value() + " (" + p.source() + ")");
    for (const auto& p : net.probes()) {
      line(out, "Probe",
           v1::Probe::Kind_Name(p.kind()) + " " + p.target() + ": " +
               v1::Probe::Result_Name(p.result()) +
               (p.has_latency_ms() ? fmt(" %.1f ms", p.latency_ms()) : "") +
               (p.message().empty() ? "" : " (" + p.message() + ")"));
    }
  }
  if (s.has_health()) {
    const auto& h = s.health();
    heading(out, "Health");
    if (h.has_load())
      line(out, "Load",
           fmt("%.2f", h.load().load1()) + " " + fmt("%.2f", h.load().load5()) + " " +
               fmt("%.2f", h.load().load15()) +
               (h.load().cpu_count() ? " on " + std::to_string(h.load().cpu_count()) + " CPUs"
                                     : ""));
    if (h.has_pressure())
      line(out, "Pressure (60 s)",
           "cpu " + fmt("%.1f%%", h.pressure().cpu_some().avg60()) + ", memory " +
               fmt("%.1f%%", h.pressure().memory_some().avg60()) + ", io " +
               fmt("%.1f%%", h.pressure().io_some().avg60()));
    if (h.kernel_log().readable())
      line(out, "Kernel log",
           std::to_string(h.kernel_log().oom_kills()) + " OOM kills, " +
               std::to_string(h.kernel_log().io_errors()) + " I/O errors, " +
               std::to_string(h.kernel_log().fs_errors()) + " fs errors");
    if (h.journal().available())
      line(out, "Journal (24 h)",
           std::to_string(h.journal().total()) + " errors" +
               (h.journal().units_size() ? ", most from " + h.journal().units(0).unit() : ""));
    if (h.event_log().available())
      line(out, "Event Log (24 h)",
           std::to_string(h.event_log().total()) + " errors" +
               (h.event_log().sources_size() ? ", most from " + h.event_log().sources(0).source()
                                             : ""));
    for (const auto& b : h.bugchecks())
      line(out, "Stop error", b.code() + " at " + utc_time(b.time_unix_ms()));
    if (h.has_commit() && h.commit().has_used_percent())
      line(out, "Commit charge",
           fmt("%.0f%%", h.commit().used_percent()) + " of " +
               human_bytes(h.commit().limit_bytes()));
    if (h.crash_dumps_size() > 0)
      line(out, "Crashes (30 d)",
           std::to_string(h.crash_dumps_size()) + ", latest " + h.crash_dumps(0).program());
    for (const auto& p : h.printing().printers())
      line(out, "Printer",
           p.name() + " " + v1::Printer::State_Name(p.state()) + ", " +
               std::to_string(p.queued_jobs()) + " job(s)" +
               (p.message().empty() ? "" : " (" + p.message() + ")"));
  }
  if (s.has_security()) {
    const auto& sec = s.security();
    heading(out, "Security");
    const auto& fw = sec.firewall();
    // Windows Defender Firewall reports per profile (below), not rules and an input policy.
    const bool by_profile = fw.profiles_size() > 0;
    line(out, "Firewall",
         !fw.has_active() ? "unknown" + (fw.message().empty() ? "" : " (" + fw.message() + ")")
         : !fw.active()   ? std::string("inactive")
         : by_profile     ? "active (" + (fw.frontends_size() ? fw.frontends(0) : "") + ")"
                          : "active, " + std::to_string(fw.rule_count()) + " rules, input " +
                            (fw.input_policy().empty() ? "?" : fw.input_policy()));
    for (const auto& p : fw.profiles())
      line(out, "Firewall profile",
           p.name() + (p.enabled() ? " on" : " OFF") + (p.current() ? " (current)" : ""));
    if (sec.has_root_encrypted()) line(out, "Root encrypted", sec.root_encrypted() ? "yes" : "no");
    for (const auto& v : sec.encrypted_volumes()) {
      if (v.type() != "BitLocker") continue;
      line(out, "BitLocker",
           v.name() +
               (!v.has_protection_on() ? " unknown"
                : v.protection_on()    ? " protected"
                                       : " NOT protected") +
               (v.method().empty() ? "" : " (" + v.method() + ")"));
    }
    if (sec.has_antivirus()) {
      const auto& av = sec.antivirus();
      line(out, "Antivirus",
           av.product() +
               (!av.has_enabled() ? ""
                : av.enabled()    ? ", on"
                                  : ", OFF") +
               (av.signatures_updated_unix_ms() > 0
                    ? ", signatures of " + utc_time(av.signatures_updated_unix_ms())
                    : ""));
    }
    if (sec.has_tpm() && sec.tpm().has_present())
      line(out, "TPM", sec.tpm().present() ? "present " + sec.tpm().version() : "none");
    if (sec.has_secure_boot()) line(out, "Secure Boot", sec.secure_boot() ? "on" : "off");
  }
  heading(out, "Collectors");
  int ok = 0;
  for (const auto& c : s.collectors()) {
    if (c.outcome() == CollectorStatus::OK) {
      ++ok;
      continue;
    }
    out << "  " << CollectorStatus::Outcome_Name(c.outcome()) << " " << c.name() << ": "
        << c.message() << "\n";
  }
  out << "  " << ok << " of " << s.collectors_size() << " collectors reported fully\n";
}

}  // namespace triage::agent
