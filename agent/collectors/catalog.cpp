// THE table of collectors: one line per data source. Order is run order (cheap first).
#include <array>

#include "agent/collectors/collector.hpp"
#include "agent/collectors/linux/collectors.hpp"

namespace triage::agent {
namespace {

using std::chrono::milliseconds;
constexpr std::size_t kMiB = 1024 * 1024;
constexpr Budget kTiny{milliseconds(20), milliseconds(1000), 1 * kMiB};

const std::array kCatalog = {
    // name, category, budget {cpu, wall, heap}, needs root, function
    CollectorSpec{"kernel", Category::kSystem, kTiny, false, &collect_kernel},
    CollectorSpec{"os_release", Category::kSystem, kTiny, false, &collect_os_release},
    CollectorSpec{"uptime", Category::kSystem, kTiny, false, &collect_uptime},
    CollectorSpec{"dmi", Category::kHardware, kTiny, false, &collect_dmi},
    CollectorSpec{"cpuinfo", Category::kHardware, kTiny, false, &collect_cpuinfo},
    CollectorSpec{"meminfo", Category::kHardware, kTiny, false, &collect_meminfo},
    CollectorSpec{"pressure", Category::kHealth, kTiny, false, &collect_pressure},
};

}  // namespace

std::span<const CollectorSpec> collector_catalog() { return kCatalog; }

}  // namespace triage::agent
