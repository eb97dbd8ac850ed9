// THE table of collectors: one line per data source. Order is run order; categories group in
// the output, not here. Budgets are ~5-10x what each needs on a typical desktop, so only a
// pathological machine (or a bug) trips them; CPU includes programs the collector runs.
#include <array>

#include "agent/collectors/collector.hpp"
#include "agent/collectors/linux/collectors.hpp"

namespace triage::agent {
namespace {

using std::chrono::milliseconds;
constexpr std::size_t kMiB = 1024 * 1024;

/// A few small files.
constexpr Budget kTiny{milliseconds(20), milliseconds(1000), 1 * kMiB};
/// Directory walks over sysfs/proc.
constexpr Budget kScan{milliseconds(60), milliseconds(3000), 4 * kMiB};
/// Large databases (dpkg status, apt lists) and external programs.
constexpr Budget kHeavy{milliseconds(150), milliseconds(15000), 16 * kMiB};
/// Waiting on the network or on a sampling window, little CPU.
constexpr Budget kWaiting{milliseconds(40), milliseconds(12000), 1 * kMiB};

const std::array kCatalog = {
    // name               category             budget   root   function
    CollectorSpec{"kernel", Category::kSystem, kTiny, false, &collect_kernel},
    CollectorSpec{"os_release", Category::kSystem, kTiny, false, &collect_os_release},
    CollectorSpec{"uptime", Category::kSystem, kTiny, false, &collect_uptime},
    CollectorSpec{"timezone", Category::kSystem, kTiny, false, &collect_timezone},
    CollectorSpec{"time_sync", Category::kSystem, kTiny, false, &collect_time_sync},
    CollectorSpec{"pending_reboot", Category::kSystem, kTiny, false, &collect_pending_reboot},
    CollectorSpec{"sessions", Category::kSystem, kTiny, false, &collect_sessions},
    CollectorSpec{"virtualization", Category::kSystem, kTiny, false, &collect_virtualization},
    CollectorSpec{"dmi", Category::kHardware, kTiny, false, &collect_dmi},
    CollectorSpec{"cpuinfo", Category::kHardware, kTiny, false, &collect_cpuinfo},
    CollectorSpec{"meminfo", Category::kHardware, kTiny, false, &collect_meminfo},
    CollectorSpec{"block_devices", Category::kHardware, kHeavy, false, &collect_block_devices},
    CollectorSpec{"filesystems", Category::kHardware, kScan, false, &collect_filesystems},
    CollectorSpec{"pci", Category::kHardware, kScan, false, &collect_pci},
    CollectorSpec{"usb", Category::kHardware, kScan, false, &collect_usb},
    CollectorSpec{"battery", Category::kHardware, kTiny, false, &collect_battery},
    CollectorSpec{"sensors", Category::kHardware, kTiny, false, &collect_sensors},
    CollectorSpec{"dpkg", Category::kSoftware, kHeavy, false, &collect_dpkg},
    CollectorSpec{"rpm", Category::kSoftware, kHeavy, false, &collect_rpm},
    CollectorSpec{"processes", Category::kSoftware,
                  Budget{milliseconds(80), milliseconds(3000), 4 * kMiB}, false,
                  &collect_processes},
    CollectorSpec{"systemd_units", Category::kSoftware, kHeavy, false, &collect_systemd_units},
    CollectorSpec{"apt_updates", Category::kSoftware, kHeavy, false, &collect_apt_updates},
    CollectorSpec{"interfaces", Category::kNetwork, kScan, false, &collect_interfaces},
    CollectorSpec{"routes", Category::kNetwork, kTiny, false, &collect_routes},
    CollectorSpec{"dns", Category::kNetwork, kTiny, false, &collect_dns},
    CollectorSpec{"proxy", Category::kNetwork, kTiny, false, &collect_proxy},
    CollectorSpec{"probes", Category::kNetwork, kWaiting, false, &collect_probes},
    CollectorSpec{"pressure", Category::kHealth, kTiny, false, &collect_pressure},
    CollectorSpec{"kernel_log", Category::kHealth, kScan, true, &collect_kernel_log},
    CollectorSpec{"journal", Category::kHealth, kHeavy, false, &collect_journal},
    CollectorSpec{"crash_dumps", Category::kHealth, kTiny, false, &collect_crash_dumps},
    CollectorSpec{"cups", Category::kHealth, kHeavy, false, &collect_cups},
    CollectorSpec{"firewall", Category::kSecurity, kHeavy, false, &collect_firewall},
    CollectorSpec{"encryption", Category::kSecurity, kTiny, false, &collect_encryption},
};

}  // namespace

std::span<const CollectorSpec> collector_catalog() { return kCatalog; }

}  // namespace triage::agent
