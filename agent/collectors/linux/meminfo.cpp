// Memory and swap totals. Source /proc/meminfo. Linux; any user; one small file.
#include "agent/collectors/linux/meminfo.hpp"
#include "agent/collectors/text.hpp"

namespace triage::agent {

v1::Memory parse_meminfo(std::string_view text) {
  v1::Memory m;
  bool have_available = false;
  for (auto line : split_lines(text)) {
    auto kv = key_value(line, ':');
    if (!kv) continue;
    auto fields = split_ws(kv->second);
    if (fields.empty()) continue;
    auto kb = to_uint(fields[0]);
    if (!kb || *kb > (UINT64_MAX >> 10)) continue;
    std::uint64_t bytes = *kb * 1024;
    auto key = kv->first;
    if (key == "MemTotal")
      m.set_total_bytes(bytes);
    else if (key == "MemFree")
      m.set_free_bytes(bytes);
    else if (key == "MemAvailable") {
      m.set_available_bytes(bytes);
      have_available = true;
    } else if (key == "Buffers")
      m.set_buffers_bytes(bytes);
    else if (key == "Cached")
      m.set_cached_bytes(bytes);
    else if (key == "SwapTotal")
      m.set_swap_total_bytes(bytes);
    else if (key == "SwapFree")
      m.set_swap_free_bytes(bytes);
  }
  // Kernels before 3.14 have no MemAvailable; free + buffers + cached is the old estimate.
  if (!have_available) m.set_available_bytes(m.free_bytes() + m.buffers_bytes() + m.cached_bytes());
  if (m.total_bytes() > 0) {
    auto avail = std::min(m.available_bytes(), m.total_bytes());
    m.set_used_percent(static_cast<float>(100.0 * static_cast<double>(m.total_bytes() - avail) /
                                          static_cast<double>(m.total_bytes())));
  }
  if (m.swap_total_bytes() > 0) {
    auto free = std::min(m.swap_free_bytes(), m.swap_total_bytes());
    m.set_swap_used_percent(
        static_cast<float>(100.0 * static_cast<double>(m.swap_total_bytes() - free) /
                           static_cast<double>(m.swap_total_bytes())));
  }
  return m;
}

Result<void> collect_meminfo(CollectContext& ctx, v1::Snapshot& out) {
  auto text = ctx.fs().read("/proc/meminfo", 64 * 1024);
  if (!text) return fail(text.error().message);
  auto m = parse_meminfo(*text);
  if (m.total_bytes() == 0) return fail("/proc/meminfo has no MemTotal");
  *out.mutable_hardware()->mutable_memory() = std::move(m);
  return {};
}

}  // namespace triage::agent
