// The Windows catalog: one line per data source. Order is run order. The sources read the
// machine through WinHost only, so this table compiles on every platform: the Windows agent
// runs it live, the tests run it against recorded machines.
#include "agent/collectors/windows_sources/windows_catalog.hpp"

#include <array>

#include "agent/collectors/budget_classes.hpp"
#include "agent/collectors/windows_sources/windows_boot.hpp"
#include "agent/collectors/windows_sources/windows_join.hpp"
#include "agent/collectors/windows_sources/windows_os.hpp"
#include "agent/collectors/windows_sources/windows_pending_reboot.hpp"
#include "agent/collectors/windows_sources/windows_sessions.hpp"

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

    // ------------------------------------------------------------ software, services, processes

    // ------------------------------------------------------------ network

    // ------------------------------------------------------------ health

    // ------------------------------------------------------------ security
};

}  // namespace

std::span<const CollectorSpec> windows_collector_catalog() { return kCatalog; }

}  // namespace triage::agent
