// Every collector against the four fixture machines, field by field.
#include <catch2/catch.hpp>

#include "tests/agent/collectors/fixture_support.hpp"

using namespace triage::agent;
using triage::v1::CollectorStatus;
namespace v1 = triage::v1;

namespace {

template <class List, class Pred>
const auto* find_if(const List& list, Pred pred) {
  for (const auto& e : list) {
    if (pred(e)) return &e;
  }
  return static_cast<decltype(&*list.begin())>(nullptr);
}

}  // namespace

TEST_CASE("desktop: system details", "[fixture][desktop]") {
  auto snap = testing::fixture_snapshot("desktop", {"system"});
  const auto& s = snap.system();
  CHECK(s.timezone() == "Europe/Paris");
  CHECK(s.time_sync().synchronized());
  CHECK(s.time_sync().offset_ms() == Approx(0.25));
  CHECK(s.time_sync().service() == "systemd-timesyncd");
  CHECK(s.pending_reboot().required());
  REQUIRE(s.pending_reboot().reasons_size() == 1);
  CHECK(s.pending_reboot().reasons(0) == "/var/run/reboot-required present");
  CHECK(std::vector<std::string>(s.pending_reboot().packages().begin(),
                                 s.pending_reboot().packages().end()) ==
        std::vector<std::string>{"linux-image-6.5.0-41-generic", "libc6"});
  // Stale utmp records (process gone) and non-user records are left out.
  REQUIRE(s.sessions_size() == 2);
  CHECK(s.sessions(0).user() == "alice");
  CHECK(s.sessions(0).tty() == "tty2");
  CHECK(s.sessions(0).remote_host() == ":0");
  CHECK(s.sessions(0).login_time_unix_ms() == 1717990100000);
  CHECK(s.sessions(1).user() == "bob");
  CHECK(s.sessions(1).remote_host() == "10.0.0.7");
  CHECK(s.virtualization() == "none");
  CHECK(s.init_system() == "systemd");
}

TEST_CASE("desktop: disks, SMART, filesystems, PCI, USB", "[fixture][desktop]") {
  auto snap = testing::fixture_snapshot("desktop", {"hardware"});
  const auto& hw = snap.hardware();
  REQUIRE(hw.block_devices_size() == 3);  // loop0 skipped
  const auto& sda = hw.block_devices(0);
  CHECK(sda.name() == "sda");
  CHECK(sda.kind() == v1::BlockDevice::DISK);
  CHECK(sda.model() == "Samsung SSD 860 EVO 500GB");
  CHECK(sda.size_bytes() == 976773168ull * 512);
  CHECK_FALSE(sda.rotational());
  CHECK(sda.smart().health() == v1::SmartStatus::PASSED);
  CHECK(sda.smart().temperature_c() == 34);
  CHECK(sda.smart().power_on_hours() == 18234);
  CHECK(sda.smart().reallocated_sectors() == 0);
  const auto& sdb = hw.block_devices(1);
  CHECK(sdb.rotational());
  CHECK(sdb.smart().health() == v1::SmartStatus::FAILING);
  CHECK(sdb.smart().reallocated_sectors() == 1208);
  CHECK(sdb.smart().pending_sectors() == 56);
  CHECK_THAT(sdb.smart().message(), Catch::Contains("FAILED"));
  CHECK(hw.block_devices(2).kind() == v1::BlockDevice::OPTICAL);
  CHECK(hw.block_devices(2).removable());
  CHECK_FALSE(hw.block_devices(2).has_smart());

  // Pseudo filesystems, squashfs snaps and the bind mount of / are not listed.
  REQUIRE(hw.filesystems_size() == 4);
  CHECK(hw.filesystems(0).mount_point() == "/");
  CHECK(hw.filesystems(1).mount_point() == "/boot/efi");
  CHECK(hw.filesystems(2).mount_point() == "/data");
  CHECK(hw.filesystems(3).mount_point() == "/mnt/my share");
  const auto& root = hw.filesystems(0);
  CHECK(root.device() == "/dev/sda2");
  CHECK(root.fs_type() == "ext4");
  CHECK(std::vector<std::string>(root.options().begin(), root.options().end()) ==
        std::vector<std::string>{"rw", "relatime", "errors=remount-ro"});
  CHECK_FALSE(root.read_only());
  CHECK(root.size_bytes() == 490000000000ull);
  CHECK(root.used_bytes() == 290000000000ull);
  CHECK(root.free_bytes() == 175000000000ull);
  CHECK(root.used_percent() == Approx(100.0 * 290 / 465));
  CHECK(root.inodes_total() == 30000000);
  CHECK(root.inodes_used() == 3000000);
  CHECK(root.inodes_used_percent() == Approx(10.0));
  CHECK(hw.filesystems(2).used_percent() == Approx(100.0 * 930 / 950));
  CHECK_FALSE(hw.filesystems(1).has_inodes_total());
  const auto& share = hw.filesystems(3);
  CHECK(share.network());
  CHECK(share.fs_type() == "cifs");
  CHECK_FALSE(share.has_size_bytes());

  REQUIRE(hw.pci_devices_size() == 4);
  const auto* gpu_dev =
      find_if(hw.pci_devices(), [](auto& d) { return d.slot() == "0000:00:02.0"; });
  REQUIRE(gpu_dev);
  CHECK(gpu_dev->vendor_id() == 0x8086);
  CHECK(gpu_dev->device_id() == 0x5912);
  CHECK(gpu_dev->class_name() == "VGA compatible controller");
  CHECK(gpu_dev->vendor_name() == "Intel Corporation");
  CHECK(gpu_dev->device_name() == "HD Graphics 630");
  CHECK(gpu_dev->driver() == "i915");
  const auto* audio = find_if(hw.pci_devices(), [](auto& d) { return d.slot() == "0000:00:1f.3"; });
  REQUIRE(audio);
  CHECK(audio->class_name() == "Audio device");
  CHECK(audio->device_name().empty());  // not in the trimmed pci.ids
  REQUIRE(hw.gpus_size() == 1);
  CHECK(hw.gpus(0).model() == "HD Graphics 630");
  CHECK(hw.gpus(0).driver() == "i915");

  REQUIRE(hw.usb_devices_size() == 2);  // root hub left out
  CHECK(hw.usb_devices(0).bus_path() == "1-1");
  CHECK(hw.usb_devices(0).vendor_id() == 0x046d);
  CHECK(hw.usb_devices(0).product() == "USB Receiver");
  CHECK(hw.usb_devices(0).class_name() == "Human Interface Device");
  CHECK(hw.usb_devices(0).speed_mbps() == 12);
  CHECK(hw.usb_devices(1).class_name() == "Printer");
  CHECK(hw.usb_devices(1).manufacturer() == "HP");
  CHECK(hw.batteries_size() == 0);
  CHECK_FALSE(hw.has_on_ac_power());
  CHECK(hw.cpu_temperature_c() == Approx(41.0f));
}

TEST_CASE("desktop: packages, updates, processes, services", "[fixture][desktop]") {
  auto snap = testing::fixture_snapshot("desktop", {"software"});
  const auto& sw = snap.software();
  REQUIRE(sw.packages_size() == 9);  // removed package with config files left out
  const auto* libc_i386 =
      find_if(sw.packages(), [](auto& p) { return p.name() == "libc6" && p.arch() == "i386"; });
  REQUIRE(libc_i386);
  CHECK(libc_i386->version() == "2.35-0ubuntu3.7");
  CHECK(libc_i386->source() == v1::Package::DPKG);
  const auto* broken = find_if(sw.packages(), [](auto& p) { return p.name() == "brokenpkg"; });
  REQUIRE(broken);
  CHECK(broken->state() == "half-configured");
  CHECK_FALSE(find_if(sw.packages(), [](auto& p) { return p.name() == "oldtool"; }));

  const auto& up = sw.updates();
  CHECK(up.manager() == "apt");
  CHECK(up.pending_count() == 4);
  CHECK(up.security_count() == 3);
  CHECK(up.complete());
  const auto* openssl = find_if(up.pending(), [](auto& u) { return u.name() == "openssl"; });
  REQUIRE(openssl);
  CHECK(openssl->installed_version() == "3.0.2-0ubuntu1.10");
  CHECK(openssl->candidate_version() == "3.0.2-0ubuntu1.15");
  CHECK(openssl->security());
  CHECK(openssl->suite() == "jammy-security");
  const auto* tz = find_if(up.pending(), [](auto& u) { return u.name() == "tzdata"; });
  REQUIRE(tz);
  CHECK_FALSE(tz->security());
  CHECK(tz->arch() == "all");
  CHECK_FALSE(
      find_if(up.pending(), [](auto& u) { return u.name() == "bash"; }));  // older candidate

  const auto& ps = sw.process_summary();
  CHECK(ps.total() == 6);
  CHECK(ps.zombies() == 1);
  CHECK(ps.blocked() == 1);
  CHECK(ps.running() == 1);
  CHECK(ps.sample_ms() == 0);  // fixtures use lifetime averages
  REQUIRE(sw.top_processes_size() >= 3);
  const auto& top = sw.top_processes(0);
  CHECK(top.pid() == 1234);
  CHECK(top.name() == "firefox");
  CHECK(top.user() == "alice");
  CHECK(top.cpu_percent() == Approx(80.08).epsilon(0.001));
  CHECK(top.rss_bytes() == 262144ull * 4096);
  CHECK(top.threads() == 87);
  CHECK(top.start_time_unix_ms() == 1717990000000 + 10000);
  CHECK(top.command_line() ==
        "/usr/lib/firefox/firefox -new-window https://intranet.corp.example.com/?token=[REDACTED]");
  const auto* mysql = find_if(sw.top_processes(), [](auto& p) { return p.pid() == 3456; });
  REQUIRE(mysql);
  CHECK(mysql->user() == "mysql");
  CHECK(mysql->command_line() == "/usr/sbin/mysqld --user=mysql --password=[REDACTED]");
  const auto* backup = find_if(sw.top_processes(), [](auto& p) { return p.pid() == 4567; });
  REQUIRE(backup);
  CHECK(backup->command_line() ==
        "/bin/sh /opt/backup.sh --api-key [REDACTED] --target s3://bucket");

  const auto& svc = sw.services();
  CHECK(svc.systemd_running());
  CHECK(svc.system_state() == "degraded");
  CHECK(svc.failed_count() == 2);
  REQUIRE(svc.units_size() == 6);  // 5 services + the failed mount
  const auto* snapd = find_if(svc.units(), [](auto& u) { return u.name() == "snapd.service"; });
  REQUIRE(snapd);
  CHECK(snapd->active_state() == v1::ServiceUnit::FAILED);
  CHECK(snapd->description() == "Snap Daemon");
  CHECK(find_if(svc.units(), [](auto& u) { return u.name() == "mnt-backup.mount"; }));
  CHECK_FALSE(find_if(svc.units(), [](auto& u) { return u.name() == "data.mount"; }));
}

TEST_CASE("desktop: network configuration", "[fixture][desktop]") {
  auto snap = testing::fixture_snapshot("desktop", {"network"});
  const auto& net = snap.network();
  REQUIRE(net.interfaces_size() == 3);
  const auto* eth = find_if(net.interfaces(), [](auto& i) { return i.name() == "enp0s31f6"; });
  REQUIRE(eth);
  CHECK(eth->kind() == v1::NetworkInterface::ETHERNET);
  CHECK(eth->mac() == "8c:ec:4b:12:34:56");
  CHECK(eth->state() == v1::NetworkInterface::UP);
  CHECK(eth->carrier());
  CHECK(eth->speed_mbps() == 1000);
  CHECK(eth->mtu() == 1500);
  CHECK(eth->driver() == "e1000e");
  CHECK(eth->rx_errors() == 3);
  REQUIRE(eth->addresses_size() == 2);
  CHECK(eth->addresses(0).address() == "192.168.1.42");
  CHECK(eth->addresses(0).prefix_length() == 24);
  CHECK(eth->addresses(1).ipv6());
  CHECK(eth->addresses(1).scope() == "link");
  const auto* docker = find_if(net.interfaces(), [](auto& i) { return i.name() == "docker0"; });
  REQUIRE(docker);
  CHECK(docker->kind() == v1::NetworkInterface::BRIDGE);
  CHECK(docker->state() == v1::NetworkInterface::DOWN);
  CHECK_FALSE(docker->has_speed_mbps());
  CHECK(find_if(net.interfaces(), [](auto& i) { return i.name() == "lo"; })->kind() ==
        v1::NetworkInterface::LOOPBACK);

  CHECK(net.default_gateway() == "192.168.1.1");
  CHECK(net.default_interface() == "enp0s31f6");
  CHECK(net.default_gateway_v6() == "fe80::1");
  CHECK(find_if(net.routes(), [](auto& r) {
    return r.destination() == "192.168.1.0/24" && r.gateway().empty();
  }));
  CHECK(find_if(net.routes(), [](auto& r) {
    return r.destination() == "172.17.0.0/16" && r.interface() == "docker0";
  }));
  CHECK_FALSE(find_if(net.routes(), [](auto& r) { return r.interface() == "lo"; }));

  CHECK(std::vector<std::string>(net.dns().nameservers().begin(), net.dns().nameservers().end()) ==
        std::vector<std::string>{"127.0.0.53"});
  CHECK(net.dns().manager() == "systemd-resolved stub");
  CHECK(std::vector<std::string>(net.dns().upstream_nameservers().begin(),
                                 net.dns().upstream_nameservers().end()) ==
        std::vector<std::string>{"192.168.1.1", "9.9.9.9"});
  CHECK(std::vector<std::string>(net.dns().search_domains().begin(),
                                 net.dns().search_domains().end()) ==
        std::vector<std::string>{"corp.example.com"});

  REQUIRE(net.proxies_size() == 4);
  CHECK(net.proxies(0).source() == "agent environment");
  CHECK(net.proxies(0).variable() == "https_proxy");
  CHECK(net.proxies(1).value() == "http://alice:[REDACTED]@proxy.corp.example.com:3128");
  CHECK(net.proxies(2).variable() == "no_proxy");
  CHECK(net.proxies(3).variable() == "Acquire::http::Proxy");
  CHECK(net.proxies(3).value() == "http://proxy.corp.example.com:3128");
  CHECK(net.probes_size() == 0);
  CHECK(testing::status_of(snap, "probes").outcome() == CollectorStatus::UNAVAILABLE);
}

TEST_CASE("desktop: health and security", "[fixture][desktop]") {
  auto snap = testing::fixture_snapshot("desktop", {"health", "security"});
  const auto& h = snap.health();
  const auto& log = h.kernel_log();
  CHECK(log.readable());
  CHECK(log.oom_kills() == 1);
  CHECK(log.io_errors() == 2);
  CHECK(log.fs_errors() == 1);
  CHECK(log.segfaults() == 1);
  REQUIRE(log.recent_size() == 5);
  CHECK(log.recent(0).kind() == v1::KernelEvent::OOM_KILL);
  CHECK(log.recent(0).process() == "chrome");
  CHECK(log.recent(0).time_unix_ms() == 1717990000000 + 5123);
  CHECK(log.recent(1).device() == "sdb");
  CHECK(log.recent(3).process() == "firefox");

  CHECK(h.journal().available());
  CHECK(h.journal().total() == 9);
  REQUIRE(h.journal().units_size() == 4);
  CHECK(h.journal().units(0).unit() == "snapd.service");
  CHECK(h.journal().units(0).count() == 5);
  CHECK(h.journal().units(1).unit() == "NetworkManager.service");

  REQUIRE(h.crash_dumps_size() == 2);
  const auto* apport =
      find_if(h.crash_dumps(), [](auto& c) { return c.kind() == v1::CrashDump::APPORT; });
  REQUIRE(apport);
  CHECK(apport->program() == "/usr/bin/firefox");
  const auto* core =
      find_if(h.crash_dumps(), [](auto& c) { return c.kind() == v1::CrashDump::SYSTEMD_COREDUMP; });
  REQUIRE(core);
  CHECK(core->program() == "gnome-shell");

  const auto& pr = h.printing();
  CHECK(pr.cups_available());
  REQUIRE(pr.printers_size() == 2);
  const auto* zebra = find_if(pr.printers(), [](auto& p) { return p.name() == "Label_Zebra"; });
  REQUIRE(zebra);
  CHECK(zebra->state() == v1::Printer::STOPPED);
  CHECK(zebra->message() == "Paused");
  CHECK_FALSE(zebra->is_default());
  const auto* hp = find_if(pr.printers(), [](auto& p) { return p.name() == "Office_HP"; });
  REQUIRE(hp);
  CHECK(hp->is_default());
  CHECK(hp->state() == v1::Printer::IDLE);
  CHECK(hp->queued_jobs() == 2);
  REQUIRE(pr.jobs_size() == 3);
  CHECK(pr.jobs(0).id() == "Office_HP-42");
  CHECK(pr.jobs(0).user() == "alice");
  CHECK(pr.jobs(0).size_bytes() == 102400);
  CHECK(pr.jobs(0).submitted_unix_ms() == 1717995600000);
  CHECK(pr.jobs(0).stuck());        // 73 minutes old
  CHECK_FALSE(pr.jobs(1).stuck());  // 3 minutes old
  CHECK(pr.jobs(2).stuck());        // printer stopped
  CHECK(pr.stuck_jobs() == 2);

  const auto& sec = snap.security();
  CHECK(sec.firewall().active());
  CHECK(sec.firewall().rule_count() == 4);
  CHECK(sec.firewall().input_policy() == "drop");
  CHECK(std::vector<std::string>(sec.firewall().frontends().begin(),
                                 sec.firewall().frontends().end()) ==
        std::vector<std::string>{"ufw", "nftables"});
  CHECK(sec.secure_boot());
  CHECK_FALSE(sec.root_encrypted());
  CHECK(sec.encrypted_volumes_size() == 0);
}

TEST_CASE("laptop: battery, Wi-Fi, LUKS, rpm", "[fixture][laptop]") {
  auto snap = testing::fixture_snapshot("laptop");
  CHECK(snap.system().os_id() == "fedora");
  CHECK(snap.system().os_pretty_name() == "Fedora Linux 40 (Workstation Edition)");
  CHECK(snap.system().timezone() == "America/New_York");
  CHECK_FALSE(snap.system().time_sync().synchronized());
  CHECK(snap.system().time_sync().offset_ms() == Approx(-1520.0));
  CHECK(snap.system().time_sync().service() == "chronyd");
  CHECK_FALSE(snap.system().pending_reboot().required());
  const auto& hw = snap.hardware();
  CHECK(hw.dmi().sys_vendor() == "LENOVO");
  CHECK(hw.dmi().product_version() == "ThinkPad T14 Gen 2i");
  CHECK(hw.dmi().chassis_type() == "Notebook");
  CHECK(hw.cpu().physical_cores() == 4);
  CHECK(hw.cpu().logical_cpus() == 8);
  CHECK(hw.cpu().max_mhz() == 4700);
  CHECK(hw.memory().used_percent() == Approx(93.54).epsilon(0.001));
  REQUIRE(hw.batteries_size() == 1);  // the mouse battery is a peripheral
  const auto& bat = hw.batteries(0);
  CHECK(bat.name() == "BAT0");
  CHECK(bat.status() == v1::Battery::DISCHARGING);
  CHECK(bat.charge_percent() == Approx(64));
  CHECK(bat.health_percent() == Approx(52.0));
  CHECK(bat.full_wh() == Approx(29.64));
  CHECK(bat.design_wh() == Approx(57.0));
  CHECK(bat.cycle_count() == 812);
  CHECK(bat.technology() == "Li-poly");
  CHECK_FALSE(hw.on_ac_power());
  // Sensors: acpitz, two coretemp readings and one fan; the "N/A" reading is skipped.
  REQUIRE(hw.sensors_size() == 4);
  CHECK(hw.sensors(0).chip() == "acpitz");
  CHECK(hw.sensors(0).label() == "temp1");
  CHECK(hw.sensors(0).critical() == Approx(128.0));
  CHECK_FALSE(hw.sensors(0).has_high());
  CHECK(hw.sensors(1).label() == "Package id 0");
  CHECK(hw.sensors(1).value() == Approx(96.0));
  CHECK(hw.sensors(1).high() == Approx(95.0));
  CHECK(hw.sensors(3).kind() == v1::Sensor::FAN);
  CHECK(hw.sensors(3).value() == Approx(4521));
  CHECK(hw.cpu_temperature_c() == Approx(96.0f));
  const auto* nvme = find_if(hw.block_devices(), [](auto& d) { return d.name() == "nvme0n1"; });
  REQUIRE(nvme);
  CHECK(nvme->kind() == v1::BlockDevice::NVME);
  CHECK(nvme->serial() == "S64KNX0T123456");
  CHECK(find_if(hw.block_devices(), [](auto& d) { return d.name() == "dm-1"; })->model() ==
        "fedora-root");
  // /home is another subvolume of the same btrfs device: one filesystem, listed once.
  REQUIRE(hw.filesystems_size() == 3);
  CHECK(hw.filesystems(0).mount_point() == "/");
  CHECK(hw.filesystems(0).fs_type() == "btrfs");
  CHECK(hw.filesystems(0).device() == "/dev/mapper/fedora-root");

  const auto& sw = snap.software();
  CHECK(testing::status_of(snap, "dpkg").outcome() == CollectorStatus::UNAVAILABLE);
  REQUIRE(sw.packages_size() == 7);
  CHECK(sw.packages(0).source() == v1::Package::RPM);
  CHECK(sw.packages(0).name() == "kernel-core");
  CHECK(sw.packages(5).version() == "1:3.2.1-2.fc40");
  CHECK(sw.top_processes(0).command_line() ==
        "/usr/share/teams/teams --type=renderer --auth-token=[REDACTED]");
  CHECK(sw.top_processes(0).user() == "carol");

  const auto& net = snap.network();
  const auto* wifi = find_if(net.interfaces(), [](auto& i) { return i.name() == "wlp0s20f3"; });
  REQUIRE(wifi);
  CHECK(wifi->kind() == v1::NetworkInterface::WIRELESS);
  CHECK(wifi->wifi_signal_dbm() == -67);
  CHECK(wifi->wifi_link_quality_percent() == Approx(61.43).epsilon(0.001));
  CHECK(wifi->driver() == "iwlwifi");
  CHECK(find_if(net.interfaces(), [](auto& i) { return i.name() == "wg0"; })->kind() ==
        v1::NetworkInterface::VPN);
  CHECK(net.default_gateway() == "192.168.0.1");
  CHECK(net.dns().manager() == "NetworkManager");
  CHECK(net.dns().nameservers_size() == 2);

  CHECK(snap.health().pressure().memory_some().avg10() == Approx(35.1f));
  CHECK_FALSE(snap.health().pressure().has_cpu_some());
  CHECK(snap.health().kernel_log().oom_kills() == 2);
  CHECK(snap.health().kernel_log().recent(0).process() == "java");

  const auto& sec = snap.security();
  CHECK(sec.root_encrypted());
  REQUIRE(sec.encrypted_volumes_size() == 2);
  CHECK(sec.encrypted_volumes(0).name() == "luks-3f1c2b7a");
  CHECK(sec.encrypted_volumes(0).type() == "LUKS2");
  CHECK(sec.encrypted_volumes(0).active());
  CHECK(sec.encrypted_volumes(0).backing_device() == "nvme0n1p3");
  CHECK(std::vector<std::string>(sec.encrypted_volumes(0).mount_points().begin(),
                                 sec.encrypted_volumes(0).mount_points().end()) ==
        std::vector<std::string>{"/", "/home"});
  CHECK(sec.encrypted_volumes(1).name() == "luks-backup");
  CHECK_FALSE(sec.encrypted_volumes(1).active());
  CHECK_FALSE(sec.has_secure_boot());
}

TEST_CASE("server with RAID: arrays, rack chassis, iptables, missing kernel", "[fixture][server]") {
  auto snap = testing::fixture_snapshot("server-raid");
  CHECK(snap.system().hostname() == "fs01");
  CHECK(snap.system().timezone() == "Etc/UTC");
  CHECK(snap.system().pending_reboot().required());
  CHECK(snap.system().pending_reboot().reasons(0) ==
        "running kernel 6.1.0-18-amd64 is no longer installed");
  const auto& hw = snap.hardware();
  CHECK(hw.dmi().product_name() == "PowerEdge R740");
  CHECK(hw.dmi().chassis_type() == "Rack Mount Chassis");
  CHECK(hw.cpu().sockets() == 2);
  CHECK(hw.cpu().physical_cores() == 4);
  CHECK(hw.cpu().logical_cpus() == 8);
  CHECK(hw.memory().swap_total_bytes() == 0);
  CHECK_FALSE(hw.memory().has_swap_used_percent());
  REQUIRE(hw.raid_arrays_size() == 2);
  const auto& md0 = hw.raid_arrays(0);
  CHECK(md0.name() == "md0");
  CHECK(md0.level() == "raid1");
  CHECK(md0.degraded());
  CHECK(md0.degraded_disks() == 1);
  CHECK(md0.raid_disks() == 2);
  CHECK(std::vector<std::string>(md0.members().begin(), md0.members().end()) ==
        std::vector<std::string>{"sda1", "sdb1"});
  CHECK_FALSE(md0.has_sync_percent());
  const auto& md1 = hw.raid_arrays(1);
  CHECK_FALSE(md1.degraded());
  CHECK(md1.sync_action() == "resync");
  CHECK(md1.sync_percent() == Approx(25.0f));
  CHECK(md1.members_size() == 3);
  CHECK(find_if(hw.block_devices(), [](auto& d) { return d.name() == "md1"; })->kind() ==
        v1::BlockDevice::RAID);
  const auto* srv = find_if(hw.filesystems(), [](auto& f) { return f.mount_point() == "/srv"; });
  REQUIRE(srv);
  CHECK(srv->fs_type() == "xfs");
  CHECK(srv->inodes_used_percent() == Approx(96.0f));
  CHECK(find_if(hw.filesystems(), [](auto& f) { return f.mount_point() == "/home"; })->network());

  const auto& net = snap.network();
  CHECK(net.default_gateway() == "10.10.0.1");
  const auto* eno2 = find_if(net.interfaces(), [](auto& i) { return i.name() == "eno2"; });
  REQUIRE(eno2);
  CHECK_FALSE(eno2->carrier());
  CHECK_FALSE(eno2->has_speed_mbps());
  CHECK(std::vector<std::string>(net.dns().search_domains().begin(),
                                 net.dns().search_domains().end()) ==
        std::vector<std::string>{"dc1.example.net", "example.net"});
  CHECK(net.dns().options_size() == 2);

  CHECK(snap.health().kernel_log().io_errors() == 1);
  CHECK(snap.health().kernel_log().hung_tasks() == 1);
  CHECK(snap.health().kernel_log().recent(1).process() == "jbd2/md0-8");
  CHECK(snap.security().firewall().rule_count() == 4);
  CHECK(snap.security().firewall().input_policy() == "drop");
  CHECK(snap.security().firewall().active());
  CHECK(snap.software().services().system_state() == "running");
  CHECK(snap.software().services().failed_count() == 0);
}

TEST_CASE("minimal container: what exists is reported, the rest is named", "[fixture][container]") {
  auto snap = testing::fixture_snapshot("container");
  CHECK(snap.system().virtualization() == "docker");
  CHECK(snap.system().init_system() == "sh");
  CHECK(snap.system().timezone() == "UTC");
  CHECK(snap.hardware().cpu().hypervisor());
  CHECK(snap.hardware().cpu().model_name() == "AMD EPYC 7B13");
  REQUIRE(snap.hardware().filesystems_size() == 1);  // overlay root; injected files left out
  CHECK(snap.hardware().filesystems(0).fs_type() == "overlay");
  CHECK(snap.hardware().filesystems(0).used_percent() == Approx(100.0 * 60 / 60.1));
  CHECK(snap.software().packages_size() == 3);
  CHECK_FALSE(snap.software().services().systemd_running());
  auto units = testing::status_of(snap, "systemd_units");
  CHECK(units.outcome() == CollectorStatus::UNAVAILABLE);
  CHECK(units.message() == "systemd not running (PID 1 is sh)");
  CHECK(snap.software().top_processes(0).command_line() ==
        "/bin/sh -c APP_TOKEN=[REDACTED] /app/run");
  CHECK(testing::status_of(snap, "dmi").outcome() == CollectorStatus::UNAVAILABLE);
  CHECK(testing::status_of(snap, "block_devices").outcome() == CollectorStatus::UNAVAILABLE);
  CHECK_FALSE(snap.health().kernel_log().readable());
  CHECK_FALSE(snap.health().has_pressure());
  CHECK(snap.network().interfaces_size() == 2);
  CHECK(find_if(snap.network().interfaces(), [](auto& i) { return i.name() == "eth0"; })->kind() ==
        v1::NetworkInterface::VIRTUAL);
  // Nothing failed: absent sources are UNAVAILABLE, never FAILED.
  for (const auto& c : snap.collectors()) {
    CAPTURE(c.name(), c.message());
    CHECK(c.outcome() != CollectorStatus::FAILED);
  }
}

TEST_CASE("every fixture collects with no failed or over-budget collector", "[fixture]") {
  auto machine = GENERATE(as<std::string>{}, "desktop", "laptop", "server-raid", "container");
  auto snap = testing::fixture_snapshot(machine);
  CHECK(snap.collectors_size() == static_cast<int>(collector_catalog().size()));
  for (const auto& c : snap.collectors()) {
    CAPTURE(machine, c.name(), c.message());
    if (c.outcome() == CollectorStatus::OVER_BUDGET)
      WARN("over budget (timing, not asserted): " << c.name());
    else
      CHECK((c.outcome() == CollectorStatus::OK || c.outcome() == CollectorStatus::UNAVAILABLE));
  }
  CHECK(snap.system().hostname().size() > 0);
  CHECK(snap.hardware().memory().total_bytes() > 0);
}
