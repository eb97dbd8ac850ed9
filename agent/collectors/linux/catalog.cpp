// The Linux catalog: one line per data source. Order is run order; categories group in the
// output, not here. CMake compiles this file, and so this table, only on Linux; other platforms
// bring their own catalog.cpp beside their collectors.
#include <array>

#include "agent/collectors/budget_classes.hpp"
#include "agent/collectors/collector.hpp"
#include "agent/collectors/linux/apt_updates.hpp"
#include "agent/collectors/linux/battery.hpp"
#include "agent/collectors/linux/block_devices.hpp"
#include "agent/collectors/linux/cpuinfo.hpp"
#include "agent/collectors/linux/crash_dumps.hpp"
#include "agent/collectors/linux/cups.hpp"
#include "agent/collectors/linux/dmi.hpp"
#include "agent/collectors/linux/dns.hpp"
#include "agent/collectors/linux/dpkg.hpp"
#include "agent/collectors/linux/encryption.hpp"
#include "agent/collectors/linux/filesystems.hpp"
#include "agent/collectors/linux/firewall.hpp"
#include "agent/collectors/linux/interfaces.hpp"
#include "agent/collectors/linux/journal.hpp"
#include "agent/collectors/linux/kernel.hpp"
#include "agent/collectors/linux/kernel_log.hpp"
#include "agent/collectors/linux/meminfo.hpp"
#include "agent/collectors/linux/os_release.hpp"
#include "agent/collectors/linux/pci.hpp"
#include "agent/collectors/linux/pending_reboot.hpp"
#include "agent/collectors/linux/pressure.hpp"
#include "agent/collectors/linux/probes.hpp"
#include "agent/collectors/linux/processes.hpp"
#include "agent/collectors/linux/proxy.hpp"
#include "agent/collectors/linux/routes.hpp"
#include "agent/collectors/linux/rpm.hpp"
#include "agent/collectors/linux/sensors.hpp"
#include "agent/collectors/linux/sessions.hpp"
#include "agent/collectors/linux/systemd_units.hpp"
#include "agent/collectors/linux/time_sync.hpp"
#include "agent/collectors/linux/timezone.hpp"
#include "agent/collectors/linux/uptime.hpp"
#include "agent/collectors/linux/usb.hpp"
#include "agent/collectors/linux/virtualization.hpp"

namespace triage::agent {
namespace {

using budgets::kHeavy;
using budgets::kMiB;
using budgets::kScan;
using budgets::kTiny;
using budgets::kWaiting;
using std::chrono::milliseconds;

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
