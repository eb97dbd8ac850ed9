// The Windows catalog: one line per data source. Order is run order. The sources read the
// machine through WinHost only, so this table compiles on every platform: the Windows agent
// runs it live, the tests run it against recorded machines.
#include "agent/collectors/windows_sources/windows_catalog.hpp"

#include <array>

#include "agent/collectors/budget_classes.hpp"
#include "agent/collectors/windows_sources/windows_bitlocker.hpp"
#include "agent/collectors/windows_sources/windows_defender.hpp"
#include "agent/collectors/windows_sources/windows_firewall.hpp"
#include "agent/collectors/windows_sources/windows_os.hpp"
#include "agent/collectors/windows_sources/windows_tpm_secure_boot.hpp"

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

    // ------------------------------------------------------------ software, services, processes

    // ------------------------------------------------------------ network

    // ------------------------------------------------------------ health

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
