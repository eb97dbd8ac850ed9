// Load average and pressure stall information (PSI). Sources /proc/loadavg and
// /proc/pressure/{cpu,memory,io} (kernel >= 4.20 with PSI enabled). Linux; any user; cheap.
#include "agent/collectors/linux/pressure.hpp"
#include "agent/collectors/text.hpp"

namespace triage::agent {

std::optional<v1::Load> parse_loadavg(std::string_view text) {
  auto f = split_ws(trim(text));
  if (f.size() < 4) return std::nullopt;
  auto l1 = to_double(f[0]), l5 = to_double(f[1]), l15 = to_double(f[2]);
  if (!l1 || !l5 || !l15) return std::nullopt;
  v1::Load load;
  load.set_load1(*l1);
  load.set_load5(*l5);
  load.set_load15(*l15);
  if (auto slash = f[3].find('/'); slash != std::string_view::npos) {
    load.set_runnable(static_cast<std::uint32_t>(to_uint(f[3].substr(0, slash)).value_or(0)));
  }
  return load;
}

PsiFile parse_pressure(std::string_view text) {
  PsiFile psi;
  for (auto line : split_lines(text)) {
    auto f = split_ws(line);
    if (f.empty() || (f[0] != "some" && f[0] != "full")) continue;
    v1::PressureStall stall;
    bool any = false;
    for (std::size_t i = 1; i < f.size(); ++i) {
      auto kv = key_value(f[i], '=');
      if (!kv) continue;
      auto [k, v] = *kv;
      if (k == "total") {
        if (auto t = to_uint(v)) stall.set_total_us(*t), any = true;
      } else if (auto d = to_double(v)) {
        any = true;
        if (k == "avg10")
          stall.set_avg10(clamp_to<float>(*d));
        else if (k == "avg60")
          stall.set_avg60(clamp_to<float>(*d));
        else if (k == "avg300")
          stall.set_avg300(clamp_to<float>(*d));
      }
    }
    if (!any) continue;
    (f[0] == "some" ? psi.some : psi.full) = stall;
  }
  return psi;
}

Result<void> collect_pressure(CollectContext& ctx, v1::Snapshot& out) {
  auto* health = out.mutable_health();
  auto text = ctx.fs().read("/proc/loadavg", 4096);
  if (!text) return fail(text.error().message);
  auto load = parse_loadavg(*text);
  if (!load) return fail("/proc/loadavg is malformed");
  *health->mutable_load() = *load;
  if (auto online = ctx.fs().read_attr("/sys/devices/system/cpu/online")) {
    // "0-3,6": count CPUs in ranges.
    std::uint32_t n = 0;
    for (auto range : split(*online, ',')) {
      auto dash = range.find('-');
      auto lo = to_uint(range.substr(0, dash));
      auto hi = dash == std::string_view::npos ? lo : to_uint(range.substr(dash + 1));
      if (lo && hi && *hi >= *lo && *hi - *lo < 65536)
        n += static_cast<std::uint32_t>(*hi - *lo + 1);
    }
    if (n > 0) health->mutable_load()->set_cpu_count(n);
  }
  auto* p = health->mutable_pressure();
  bool any = false;
  if (auto t = ctx.fs().read("/proc/pressure/cpu", 4096)) {
    auto psi = parse_pressure(*t);
    if (psi.some) *p->mutable_cpu_some() = *psi.some, any = true;
  }
  if (auto t = ctx.fs().read("/proc/pressure/memory", 4096)) {
    auto psi = parse_pressure(*t);
    if (psi.some) *p->mutable_memory_some() = *psi.some, any = true;
    if (psi.full) *p->mutable_memory_full() = *psi.full;
  }
  if (auto t = ctx.fs().read("/proc/pressure/io", 4096)) {
    auto psi = parse_pressure(*t);
    if (psi.some) *p->mutable_io_some() = *psi.some, any = true;
    if (psi.full) *p->mutable_io_full() = *psi.full;
  }
  if (!any) {
    health->clear_pressure();
    ctx.note("no pressure stall information (kernel without PSI)");
  }
  return {};
}

}  // namespace triage::agent
