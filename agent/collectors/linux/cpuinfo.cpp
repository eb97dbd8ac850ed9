// CPU model, topology and frequency. Sources /proc/cpuinfo and
// /sys/devices/system/cpu/cpu0/cpufreq/. Linux (x86 and ARM layouts); any user; cheap.
#include <set>

#include "agent/collectors/linux/cpuinfo.hpp"
#include "agent/collectors/text.hpp"

namespace triage::agent {

v1::Cpu parse_cpuinfo(std::string_view text) {
  v1::Cpu cpu;
  std::set<std::string_view> sockets;
  std::set<std::pair<std::string_view, std::string_view>> cores;
  std::string_view physical_id;
  std::uint32_t logical = 0;
  double mhz_sum = 0;
  std::uint32_t mhz_count = 0;
  for (auto line : split_lines(text)) {
    auto kv = key_value(line, ':');
    if (!kv) continue;
    auto [key, value] = *kv;
    if (key == "processor") {
      ++logical;
    } else if (key == "model name" || (key == "Model" && cpu.model_name().empty())) {
      if (cpu.model_name().empty()) cpu.set_model_name(std::string(value));
    } else if (key == "vendor_id" || key == "CPU implementer") {
      if (cpu.vendor().empty()) cpu.set_vendor(std::string(value));
    } else if (key == "physical id") {
      physical_id = value;
      sockets.insert(value);
    } else if (key == "core id") {
      cores.emplace(physical_id, value);
    } else if (key == "cpu MHz") {
      if (auto v = to_double(value)) {
        mhz_sum += *v;
        ++mhz_count;
      }
    } else if (key == "flags" && !cpu.hypervisor()) {
      for (auto flag : split_ws(value)) {
        if (flag == "hypervisor") cpu.set_hypervisor(true);
      }
    }
  }
  cpu.set_logical_cpus(logical);
  cpu.set_sockets(sockets.empty() ? (logical > 0 ? 1 : 0)
                                  : static_cast<std::uint32_t>(sockets.size()));
  cpu.set_physical_cores(cores.empty() ? logical : static_cast<std::uint32_t>(cores.size()));
  if (mhz_count > 0) cpu.set_current_mhz(clamp_to<std::uint32_t>(mhz_sum / mhz_count));
  return cpu;
}

Result<void> collect_cpuinfo(CollectContext& ctx, v1::Snapshot& out) {
  auto text = ctx.fs().read("/proc/cpuinfo", 8 * 1024 * 1024);
  if (!text) return fail(text.error().message);
  auto cpu = parse_cpuinfo(*text);
  if (cpu.logical_cpus() == 0) return fail("/proc/cpuinfo lists no processor");
  const std::string freq = "/sys/devices/system/cpu/cpu0/cpufreq/";
  if (auto khz = ctx.fs().read_uint(freq + "cpuinfo_max_freq")) {
    cpu.set_max_mhz(static_cast<std::uint32_t>(*khz / 1000));
  }
  if (!cpu.has_current_mhz()) {
    if (auto khz = ctx.fs().read_uint(freq + "scaling_cur_freq")) {
      cpu.set_current_mhz(static_cast<std::uint32_t>(*khz / 1000));
    }
  }
  *out.mutable_hardware()->mutable_cpu() = std::move(cpu);
  return {};
}

}  // namespace triage::agent
