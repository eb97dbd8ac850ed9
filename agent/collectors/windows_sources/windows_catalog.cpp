// The Windows catalog: one line per data source. Order is run order. The sources read the
// machine through WinHost only, so this table compiles on every platform: the Windows agent
// runs it live, the tests run it against recorded machines.
#include "agent/collectors/windows_sources/windows_catalog.hpp"

#include <array>

#include "agent/collectors/budget_classes.hpp"
#include "agent/collectors/windows_sources/windows_bugchecks.hpp"
#include "agent/collectors/windows_sources/windows_crashes.hpp"
#include "agent/collectors/windows_sources/windows_event_log.hpp"
#include "agent/collectors/windows_sources/windows_memory.hpp"
#include "agent/collectors/windows_sources/windows_os.hpp"
#include "agent/collectors/windows_sources/windows_printing.hpp"
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

    // ------------------------------------------------------------ hardware
    // WMI's first query in a process starts COM and connects: seconds, not milliseconds.
    CollectorSpec{"windows_memory", Category::kHardware, kScan, false, &collect_windows_memory},
    // A slow removable drive holds GetVolumeInformationW for seconds (the gatherer gives up
    // at 5 s).
    CollectorSpec{"windows_volumes", Category::kHardware, kHeavy, false, &collect_windows_volumes},

    // ------------------------------------------------------------ software, services, processes

    // ------------------------------------------------------------ network

    // ------------------------------------------------------------ health
    CollectorSpec{"windows_event_log", Category::kHealth, kHeavy, false,
                  &collect_windows_event_log},
    CollectorSpec{"windows_crashes", Category::kHealth, kScan, false, &collect_windows_crashes},
    CollectorSpec{"windows_bugchecks", Category::kHealth, kScan, false, &collect_windows_bugchecks},
    // Network printers answer EnumJobsW over the network: seconds each when one is off.
    CollectorSpec{"windows_printing", Category::kHealth, kHeavy, false, &collect_windows_printing},

    // ------------------------------------------------------------ security
};

}  // namespace

std::span<const CollectorSpec> windows_collector_catalog() { return kCatalog; }

}  // namespace triage::agent
