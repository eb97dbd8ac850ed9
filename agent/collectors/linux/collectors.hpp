#pragma once
// The Linux collectors: for each data source, its collect function (registered in catalog.cpp)
// and the pure parsers that carry its unit tests. Each source lives in its own .cpp file here.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/collectors/collect_context.hpp"
#include "shared/util/fs_root.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

// ---- system

/// Fields of os-release(5) the snapshot keeps.
struct OsRelease {
  std::string pretty_name, name, id, version_id, codename;
};
/// Parses os-release text (KEY=value lines, shell quoting).
OsRelease parse_os_release(std::string_view text);
/// /etc/os-release, else /usr/lib/os-release; empty fields when neither is readable.
OsRelease read_os_release(const FsRoot& fs);
Result<void> collect_os_release(CollectContext& ctx, v1::Snapshot& out);

/// Hostname, kernel and machine identity from /proc/sys/kernel and /etc.
struct KernelIdentity {
  std::string hostname, release, version, arch, machine_id;
};
KernelIdentity read_kernel_identity(const FsRoot& fs);
/// uname(2) machine of the running kernel ("x86_64").
std::string live_machine_arch();
Result<void> collect_kernel(CollectContext& ctx, v1::Snapshot& out);

/// The "btime" (seconds since the epoch) of /proc/stat.
std::optional<std::int64_t> parse_boot_time(std::string_view proc_stat);
Result<void> collect_uptime(CollectContext& ctx, v1::Snapshot& out);

// ---- hardware

v1::Memory parse_meminfo(std::string_view text);
Result<void> collect_meminfo(CollectContext& ctx, v1::Snapshot& out);

v1::Cpu parse_cpuinfo(std::string_view text);
Result<void> collect_cpuinfo(CollectContext& ctx, v1::Snapshot& out);

/// SMBIOS chassis type code to its name ("Notebook").
std::string chassis_type_name(std::uint64_t code);
Result<void> collect_dmi(CollectContext& ctx, v1::Snapshot& out);

// ---- health

std::optional<v1::Load> parse_loadavg(std::string_view text);
/// One /proc/pressure/* file: its "some" and "full" lines.
struct PsiFile {
  std::optional<v1::PressureStall> some, full;
};
PsiFile parse_pressure(std::string_view text);
Result<void> collect_pressure(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent

namespace triage::agent {

// ---- system (continued)

/// "/usr/share/zoneinfo/Europe/Paris" -> "Europe/Paris"; "" when not a zoneinfo path.
std::string zone_from_localtime_link(std::string_view target);
Result<void> collect_timezone(CollectContext& ctx, v1::Snapshot& out);

/// Time daemon running or configured under `fs` ("" when none found).
std::string detect_time_service(const FsRoot& fs);
Result<void> collect_time_sync(CollectContext& ctx, v1::Snapshot& out);

Result<void> collect_pending_reboot(CollectContext& ctx, v1::Snapshot& out);

/// One USER_PROCESS record of utmp.
struct UtmpSession {
  std::string user, tty, host;
  std::uint32_t pid = 0;
  std::int64_t login_unix_ms = 0;
};
/// Decodes utmp records; a trailing partial record is ignored.
std::vector<UtmpSession> parse_utmp(std::string_view data);
Result<void> collect_sessions(CollectContext& ctx, v1::Snapshot& out);

/// Hypervisor name from DMI vendor/product strings ("" when not recognised).
std::string hypervisor_from_dmi(std::string_view vendor, std::string_view product);
Result<void> collect_virtualization(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent

#include <map>

namespace triage::agent {

// ---- hardware (continued)

/// Decodes `smartctl -j` output; `exit_code` is smartctl's bit-mask status (-1 unknown).
v1::SmartStatus parse_smartctl_json(std::string_view text, int exit_code);
Result<void> collect_block_devices(CollectContext& ctx, v1::Snapshot& out);

/// One line of /proc/mounts, unescaped.
struct MountEntry {
  std::string device, mount_point, fs_type;
  std::vector<std::string> options;
};
std::vector<MountEntry> parse_mounts(std::string_view text);
bool is_pseudo_filesystem(std::string_view fs_type);
bool is_network_filesystem(std::string_view fs_type);
Result<void> collect_filesystems(CollectContext& ctx, v1::Snapshot& out);

/// Names found in pci.ids for the wanted (vendor, device) pairs.
struct PciNames {
  std::map<std::uint32_t, std::string> vendors;
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::string> devices;
};
PciNames lookup_pci_ids(std::string_view ids,
                        const std::vector<std::pair<std::uint32_t, std::uint32_t>>& wanted);
/// PCI class code (24 bits) to "VGA compatible controller" etc.
std::string pci_class_name(std::uint32_t class_code);
Result<void> collect_pci(CollectContext& ctx, v1::Snapshot& out);

std::string usb_class_name(std::uint32_t code);
Result<void> collect_usb(CollectContext& ctx, v1::Snapshot& out);

v1::Battery::Status battery_status(std::string_view text);
Result<void> collect_battery(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent

namespace triage::agent {

// ---- software

/// A package as a package database lists it.
struct DpkgEntry {
  std::string name, version, arch, state;
};
/// Packages of /var/lib/dpkg/status that are installed or partly installed (state kept).
std::vector<DpkgEntry> parse_dpkg_status(std::string_view text);
Result<void> collect_dpkg(CollectContext& ctx, v1::Snapshot& out);

/// Lines "name\tversion\tarch" as printed by our `rpm -qa --qf` format.
std::vector<DpkgEntry> parse_rpm_qa(std::string_view text);
Result<void> collect_rpm(CollectContext& ctx, v1::Snapshot& out);

/// <0, 0, >0 as Debian orders versions a and b.
int compare_debian_versions(std::string_view a, std::string_view b);

}  // namespace triage::agent

namespace triage::agent {

/// Stanzas (name, version, arch) of an apt Packages list.
std::vector<DpkgEntry> parse_packages_list(std::string_view text);
Result<void> collect_apt_updates(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent

namespace triage::agent {

/// The fields of /proc/<pid>/stat the process collector uses.
struct ProcStat {
  std::string comm, state;
  std::uint32_t ppid = 0, threads = 0;
  std::uint64_t cpu_ticks = 0, start_ticks = 0, rss_pages = 0;
};
std::optional<ProcStat> parse_proc_stat(std::string_view text);
Result<void> collect_processes(CollectContext& ctx, v1::Snapshot& out);

v1::ServiceUnit::ActiveState unit_active_state(std::string_view s);
/// Lines of `systemctl list-units --no-legend --plain`: unit load active sub description.
std::vector<v1::ServiceUnit> parse_list_units(std::string_view text);
Result<void> collect_systemd_units(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent

namespace triage::agent {

// ---- network

/// One interface line of /proc/net/wireless.
struct WirelessLink {
  std::string interface;
  double quality_percent = 0;
  int signal_dbm = 0;
};
std::vector<WirelessLink> parse_proc_net_wireless(std::string_view text);
Result<void> collect_interfaces(CollectContext& ctx, v1::Snapshot& out);

/// One route from /proc/net/route or /proc/net/ipv6_route.
struct RouteEntry {
  std::string destination, interface, gateway;
  std::uint32_t metric = 0;
  bool ipv6 = false;
  bool is_default = false;
};
std::vector<RouteEntry> parse_proc_net_route(std::string_view text);
std::vector<RouteEntry> parse_proc_net_ipv6_route(std::string_view text);
Result<void> collect_routes(CollectContext& ctx, v1::Snapshot& out);

/// resolv.conf(5) contents.
struct ResolvConf {
  std::vector<std::string> nameservers, search, options;
  std::string generated_by;
};
ResolvConf parse_resolv_conf(std::string_view text);
Result<void> collect_dns(CollectContext& ctx, v1::Snapshot& out);

/// VAR=value proxy lines of /etc/environment (values unredacted).
std::vector<std::pair<std::string, std::string>> parse_environment_proxies(std::string_view text);
/// Acquire::http::Proxy "url"; lines of apt configuration (values unredacted).
std::vector<std::pair<std::string, std::string>> parse_apt_proxies(std::string_view text);
Result<void> collect_proxy(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent

#include <chrono>

namespace triage::agent {

/// What one probe found.
struct ProbeOutcome {
  v1::Probe::Result result = v1::Probe::RESULT_UNSPECIFIED;
  std::optional<double> latency_ms;
  std::string message;
  std::string resolved;  // DNS: first IPv4 answer
};
/// A DNS query packet for the A record of `name` (empty for an invalid name).
std::string build_dns_query(std::uint16_t id, std::string_view name);
/// The parts of a DNS response the probe reports.
struct DnsAnswer {
  bool valid = false;
  int rcode = 0;
  std::uint16_t answers = 0;
  std::string first_ipv4;
};
DnsAnswer parse_dns_response(std::string_view data, std::uint16_t id);
ProbeOutcome probe_dns(const std::string& server, const std::string& name,
                       std::chrono::milliseconds timeout);
ProbeOutcome probe_tcp(const std::string& address, std::uint16_t port,
                       std::chrono::milliseconds timeout);
ProbeOutcome probe_icmp(const std::string& address, std::chrono::milliseconds timeout);
Result<void> collect_probes(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent

namespace triage::agent {

// ---- health (continued)

/// An event of interest in the kernel log.
struct KmsgEvent {
  v1::KernelEvent::Kind kind = v1::KernelEvent::KIND_UNSPECIFIED;
  std::uint64_t usec_since_boot = 0;
  std::string message, process, device;
};
/// Events of /dev/kmsg records ("pri,seq,usec,flags;message").
std::vector<KmsgEvent> parse_kmsg(std::string_view text);
Result<void> collect_kernel_log(CollectContext& ctx, v1::Snapshot& out);

/// Error entries per unit in `journalctl -o json` output.
std::map<std::string, std::uint32_t> count_journal_errors(std::string_view json_lines);
Result<void> collect_journal(CollectContext& ctx, v1::Snapshot& out);

/// Crashed program named by a crash file name.
std::string program_of_crash_file(std::string_view name, v1::CrashDump::Kind kind);
Result<void> collect_crash_dumps(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent

namespace triage::agent {

/// What `lpstat -d -p -a -o` says.
struct LpstatReport {
  std::string default_printer;
  std::vector<v1::Printer> printers;
  std::vector<v1::PrintJob> jobs;
};
/// Parses lpstat output; job dates are local time when `local_time`, else UTC.
LpstatReport parse_lpstat(std::string_view text, bool local_time);
Result<void> collect_cups(CollectContext& ctx, v1::Snapshot& out);

// ---- security

/// Rule count and input policy of a firewall ruleset.
struct NftSummary {
  bool valid = false;
  std::uint32_t rules = 0;
  std::string input_policy;
};
NftSummary parse_nft_json(std::string_view text);
NftSummary parse_iptables_save(std::string_view text);
Result<void> collect_firewall(CollectContext& ctx, v1::Snapshot& out);

/// "CRYPT-LUKS2-<uuid>-<name>" -> "LUKS2"; "" for non-crypt device-mapper uuids.
std::string crypt_type_from_dm_uuid(std::string_view uuid);
Result<void> collect_encryption(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent

namespace triage::agent {

Result<void> collect_sensors(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
