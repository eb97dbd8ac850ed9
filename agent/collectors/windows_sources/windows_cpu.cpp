// Sources: HKLM\HARDWARE\DESCRIPTION\System\CentralProcessor\0 (ProcessorNameString,
// VendorIdentifier, ~MHz: the rated speed Windows measured at boot, what Win32_Processor calls
// MaxClockSpeed; boost clocks are not in it) and api "processors" (win_api_names.hpp).
//
// Hypervisor: with virtualization-based security (Memory Integrity, Credential Guard) Windows
// itself runs on Hyper-V, as its root partition, and CPUID says "hypervisor present" on bare
// metal too. Only a guest partition is a virtual machine, as the Linux flag means it.
#include "agent/collectors/windows_sources/windows_cpu.hpp"

#include "agent/collectors/text.hpp"
#include "agent/collectors/windows_sources/win_values.hpp"

namespace triage::agent {
namespace {

constexpr std::string_view kProcessorKey =
    "HKLM\\HARDWARE\\DESCRIPTION\\System\\CentralProcessor\\0";
constexpr std::size_t kMaxText = 256;
// More than any machine has: a larger count is a garbled answer.
constexpr std::uint64_t kMaxCount = 1 << 16;

std::optional<std::uint32_t> count(const nlohmann::json& answer, std::string_view key) {
  auto v = json_uint(answer, key);
  if (!v || *v == 0 || *v > kMaxCount) return std::nullopt;
  return static_cast<std::uint32_t>(*v);
}

}  // namespace

Result<void> collect_windows_cpu(CollectContext& ctx, v1::Snapshot& out) {
  WinHost* win = windows_host(ctx);
  if (!win) return {};
  auto* cpu = out.mutable_hardware()->mutable_cpu();

  auto processor = win->registry(kProcessorKey);
  if (processor) {
    // Intel pads the name with leading spaces on some generations.
    cpu->set_model_name(clean_text(trim(processor->text("ProcessorNameString")), kMaxText));
    cpu->set_vendor(clean_text(trim(processor->text("VendorIdentifier")), kMaxText));
    if (auto mhz = processor->number("~MHz"); mhz && *mhz > 0 && *mhz < 100000)
      cpu->set_max_mhz(static_cast<std::uint32_t>(*mhz));
  } else {
    ctx.note("processor description: " + processor.error().message);
  }

  auto topology = win->api("processors");
  if (!topology) {
    if (!processor) return fail("reading the processor", topology.error());
    ctx.note("processor topology: " + topology.error().message);
    return {};
  }
  if (auto sockets = count(*topology, "sockets")) cpu->set_sockets(*sockets);
  if (auto cores = count(*topology, "cores")) cpu->set_physical_cores(*cores);
  if (auto logical = count(*topology, "logical_processors")) cpu->set_logical_cpus(*logical);
  bool present = json_bool(*topology, "hypervisor_present").value_or(false);
  bool root = json_bool(*topology, "root_partition").value_or(false);
  cpu->set_hypervisor(present && !root);
  if (present && root) ctx.note("Windows runs as the hypervisor's root partition (VBS)");
  return {};
}

}  // namespace triage::agent
