// The Windows catalog: one line per data source. Order is run order. The sources read the
// machine through WinHost only, so this table compiles on every platform: the Windows agent
// runs it live, the tests run it against recorded machines.
#include "agent/collectors/windows_sources/windows_catalog.hpp"

#include <array>

#include "agent/collectors/budget_classes.hpp"
#include "agent/collectors/windows_sources/windows_adapters.hpp"
#include "agent/collectors/windows_sources/windows_battery.hpp"
#include "agent/collectors/windows_sources/windows_bitlocker.hpp"
#include "agent/collectors/windows_sources/windows_boot.hpp"
#include "agent/collectors/windows_sources/windows_bugchecks.hpp"
#include "agent/collectors/windows_sources/windows_cpu.hpp"
#include "agent/collectors/windows_sources/windows_crashes.hpp"
#include "agent/collectors/windows_sources/windows_defender.hpp"
#include "agent/collectors/windows_sources/windows_disks.hpp"
#include "agent/collectors/windows_sources/windows_dns.hpp"
#include "agent/collectors/windows_sources/windows_event_log.hpp"
#include "agent/collectors/windows_sources/windows_firewall.hpp"
#include "agent/collectors/windows_sources/windows_gpu.hpp"
#include "agent/collectors/windows_sources/windows_hotfixes.hpp"
#include "agent/collectors/windows_sources/windows_join.hpp"
#include "agent/collectors/windows_sources/windows_memory.hpp"
#include "agent/collectors/windows_sources/windows_monitors.hpp"
#include "agent/collectors/windows_sources/windows_os.hpp"
#include "agent/collectors/windows_sources/windows_pending_reboot.hpp"
#include "agent/collectors/windows_sources/windows_printing.hpp"
#include "agent/collectors/windows_sources/windows_probes.hpp"
#include "agent/collectors/windows_sources/windows_processes.hpp"
#include "agent/collectors/windows_sources/windows_programs.hpp"
#include "agent/collectors/windows_sources/windows_proxy.hpp"
#include "agent/collectors/windows_sources/windows_routes.hpp"
#include "agent/collectors/windows_sources/windows_services.hpp"
#include "agent/collectors/windows_sources/windows_sessions.hpp"
#include "agent/collectors/windows_sources/windows_smbios.hpp"
#include "agent/collectors/windows_sources/windows_tpm_secure_boot.hpp"
#include "agent/collectors/windows_sources/windows_updates.hpp"
#include "agent/collectors/windows_sources/windows_volumes.hpp"

namespace triage::agent {
namespace {

using budgets::kHeavy;
using budgets::kMiB;
using budgets::kScan;
using budgets::kTiny;
using budgets::kWaiting;
using std::chrono::milliseconds;

const std::array kCatalog = {
    // name               category             budget   admin  function
    // ------------------------------------------------------------ system
    CollectorSpec{"windows_os", Category::kSystem, kTiny, false, &collect_windows_os},
    CollectorSpec{"windows_boot", Category::kSystem, kTiny, false, &collect_windows_boot},
    CollectorSpec{"windows_join", Category::kSystem, kTiny, false, &collect_windows_join},
    CollectorSpec{"windows_sessions", Category::kSystem, kTiny, false, &collect_windows_sessions},
    CollectorSpec{"windows_pending_reboot", Category::kSystem, kTiny, false,
                  &collect_windows_pending_reboot},

    // ------------------------------------------------------------ hardware
    CollectorSpec{"windows_smbios", Category::kHardware, kTiny, false, &collect_windows_smbios},
    CollectorSpec{"windows_cpu", Category::kHardware, kTiny, false, &collect_windows_cpu},
    // WMI: the first query of a class may wait for its provider to load; disks and battery ask
    // three and five classes.
    CollectorSpec{"windows_disks", Category::kHardware, kWaiting, false, &collect_windows_disks},
    CollectorSpec{"windows_gpu", Category::kHardware, kScan, false, &collect_windows_gpu},
    CollectorSpec{"windows_battery", Category::kHardware, kWaiting, false,
                  &collect_windows_battery},
    CollectorSpec{"windows_monitors", Category::kHardware, kScan, false, &collect_windows_monitors},
    // WMI's first query in a process starts COM and connects: seconds, not milliseconds.
    CollectorSpec{"windows_memory", Category::kHardware, kScan, false, &collect_windows_memory},
    // A slow removable drive holds GetVolumeInformationW for seconds (the gatherer gives up
    // at 5 s).
    CollectorSpec{"windows_volumes", Category::kHardware, kHeavy, false, &collect_windows_volumes},

    // ------------------------------------------------------------ software, services, processes
    // A few hundred keys in two views and the user hives, each read whole.
    CollectorSpec{"windows_programs", Category::kSoftware, kHeavy, false,
                  &collect_windows_programs},
    // Before windows_updates: its last install instant replaces the hotfixes' newest day.
    CollectorSpec{"windows_hotfixes", Category::kSoftware, kHeavy, false,
                  &collect_windows_hotfixes},
    // An online search waits on Windows Update's servers (in its own service, so little CPU
    // here); one slower than this trips the budget and cools down. Well under the snapshot
    // process's 120 s limit.
    CollectorSpec{"windows_updates", Category::kSoftware,
                  Budget{milliseconds(500), milliseconds(60000), 4 * kMiB}, false,
                  &collect_windows_updates},
    CollectorSpec{"windows_services", Category::kSoftware, kHeavy, false,
                  &collect_windows_services},
    // Two samples ~250 ms apart, each opening every process.
    CollectorSpec{"windows_processes", Category::kSoftware,
                  Budget{milliseconds(300), milliseconds(8000), 8 * kMiB}, false,
                  &collect_windows_processes},

    // ------------------------------------------------------------ network
    CollectorSpec{"windows_adapters", Category::kNetwork, kScan, false, &collect_windows_adapters},
    CollectorSpec{"windows_routes", Category::kNetwork, kScan, false, &collect_windows_routes},
    CollectorSpec{"windows_dns", Category::kNetwork, kTiny, false, &collect_windows_dns},
    CollectorSpec{"windows_proxy", Category::kNetwork, kTiny, false, &collect_windows_proxy},
    CollectorSpec{"windows_probes", Category::kNetwork, kWaiting, false, &collect_windows_probes},

    // ------------------------------------------------------------ health
    CollectorSpec{"windows_event_log", Category::kHealth, kHeavy, false,
                  &collect_windows_event_log},
    CollectorSpec{"windows_crashes", Category::kHealth, kScan, false, &collect_windows_crashes},
    CollectorSpec{"windows_bugchecks", Category::kHealth, kScan, false, &collect_windows_bugchecks},
    // Network printers answer EnumJobsW over the network: seconds each when one is off.
    CollectorSpec{"windows_printing", Category::kHealth, kHeavy, false, &collect_windows_printing},

    // ------------------------------------------------------------ security
    // WMI providers answer in hundreds of milliseconds (Defender's up to seconds): waiting.
    CollectorSpec{"windows_defender", Category::kSecurity, kWaiting, false,
                  &collect_windows_defender},
    CollectorSpec{"windows_firewall", Category::kSecurity, kTiny, false, &collect_windows_firewall},
    CollectorSpec{"windows_bitlocker", Category::kSecurity, kWaiting, true,
                  &collect_windows_bitlocker},
    CollectorSpec{"windows_tpm_secure_boot", Category::kSecurity, kWaiting, false,
                  &collect_windows_tpm_secure_boot},
};

}  // namespace

std::span<const CollectorSpec> windows_collector_catalog() { return kCatalog; }

}  // namespace triage::agent
