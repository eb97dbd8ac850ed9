// Block devices, md RAID arrays and SMART health. Sources /sys/block/*/ (size, queue/rotational,
// removable, device/{model,vendor,serial}, md/*, slaves/) and `smartctl -H -A -j /dev/X` when
// smartctl is installed and the agent is root. Linux; sysfs part any user; smartctl needs root
// and costs ~10 ms CPU per disk, bounded by a 5 s timeout each.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "agent/collectors/linux/block_devices.hpp"
#include "agent/collectors/text.hpp"

namespace triage::agent {
namespace {

using v1::BlockDevice;

BlockDevice::Kind kind_of(std::string_view name) {
  if (name.starts_with("nvme")) return BlockDevice::NVME;
  if (name.starts_with("md")) return BlockDevice::RAID;
  if (name.starts_with("dm-")) return BlockDevice::MAPPER;
  if (name.starts_with("loop")) return BlockDevice::LOOP;
  if (name.starts_with("sr")) return BlockDevice::OPTICAL;
  if (name.starts_with("vd") || name.starts_with("xvd")) return BlockDevice::VIRTUAL;
  if (name.starts_with("mmcblk")) return BlockDevice::MMC;
  if (name.starts_with("sd") || name.starts_with("hd")) return BlockDevice::DISK;
  return BlockDevice::KIND_UNKNOWN;
}

bool skipped(std::string_view name) {
  // RAM disks, compressed swap, floppies and loop devices (snap images) are not disks to a
  // helpdesk.
  return name.starts_with("ram") || name.starts_with("zram") || name.starts_with("fd") ||
         name.starts_with("loop") || name.starts_with("nbd");
}

void read_raid(CollectContext& ctx, const std::string& name, v1::Snapshot& out) {
  const auto& fs = ctx.fs();
  std::string md = "/sys/block/" + name + "/md/";
  if (!fs.is_directory(md)) return;
  auto* a = out.mutable_hardware()->add_raid_arrays();
  a->set_name(name);
  a->set_level(fs.read_attr(md + "level").value_or(""));
  a->set_state(fs.read_attr(md + "array_state").value_or(""));
  a->set_raid_disks(static_cast<std::uint32_t>(fs.read_uint(md + "raid_disks").value_or(0)));
  a->set_degraded_disks(static_cast<std::uint32_t>(fs.read_uint(md + "degraded").value_or(0)));
  a->set_degraded(a->degraded_disks() > 0 || a->state().find("degraded") != std::string::npos);
  a->set_sync_action(fs.read_attr(md + "sync_action").value_or(""));
  // "1234 / 5678" while resyncing, "none" otherwise.
  if (auto done = fs.read_attr(md + "sync_completed")) {
    auto parts = split(*done, '/');
    if (parts.size() == 2) {
      auto num = to_uint(parts[0]), den = to_uint(parts[1]);
      if (num && den && *den > 0) a->set_sync_percent(static_cast<float>(100.0 * *num / *den));
    }
  }
  if (auto slaves = fs.list_dir("/sys/block/" + name + "/slaves")) {
    std::sort(slaves->begin(), slaves->end());
    for (auto& s : *slaves) a->add_members(s);
  }
}

}  // namespace

v1::SmartStatus parse_smartctl_json(std::string_view text, int exit_code) {
  v1::SmartStatus s;
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  // smartctl's exit status is a bit mask; bit 3 means "disk failing".
  if (exit_code >= 0 && (exit_code & 0x08)) s.set_health(v1::SmartStatus::FAILING);
  if (j.is_discarded() || !j.is_object()) {
    s.set_message("unreadable smartctl output");
    return s;
  }
  if (auto st = j.find("smart_status");
      st != j.end() && st->is_object() && st->contains("passed")) {
    bool passed = (*st)["passed"].is_boolean() && (*st)["passed"].get<bool>();
    if (s.health() != v1::SmartStatus::FAILING) {
      s.set_health(passed ? v1::SmartStatus::PASSED : v1::SmartStatus::FAILING);
    }
  }
  if (auto t = j.find("temperature"); t != j.end() && t->is_object()) {
    if (auto c = t->find("current"); c != t->end() && c->is_number_integer())
      s.set_temperature_c(c->get<int>());
  }
  if (auto p = j.find("power_on_time"); p != j.end() && p->is_object()) {
    if (auto h = p->find("hours"); h != p->end() && h->is_number_unsigned())
      s.set_power_on_hours(h->get<std::uint64_t>());
  }
  if (auto a = j.find("ata_smart_attributes"); a != j.end() && a->is_object()) {
    if (auto table = a->find("table"); table != a->end() && table->is_array()) {
      for (const auto& attr : *table) {
        if (!attr.is_object() || !attr.contains("id") || !attr.contains("raw")) continue;
        const auto& raw = attr["raw"];
        if (!attr["id"].is_number_integer() || !raw.is_object() || !raw.contains("value") ||
            !raw["value"].is_number_unsigned())
          continue;
        auto id = attr["id"].get<int>();
        auto value = raw["value"].get<std::uint64_t>();
        if (id == 5) s.set_reallocated_sectors(value);
        if (id == 197) s.set_pending_sectors(value);
      }
    }
  }
  if (auto n = j.find("nvme_smart_health_information_log"); n != j.end() && n->is_object()) {
    if (auto u = n->find("percentage_used"); u != n->end() && u->is_number_unsigned())
      s.set_wear_percent(u->get<std::uint32_t>());
  }
  if (auto sm = j.find("smartctl"); sm != j.end() && sm->is_object()) {
    if (auto msgs = sm->find("messages"); msgs != sm->end() && msgs->is_array() && !msgs->empty()) {
      const auto& first = (*msgs)[0];
      if (first.is_object() && first.contains("string") && first["string"].is_string()) {
        s.set_message(first["string"].get<std::string>());
      }
    }
  }
  return s;
}

Result<void> collect_block_devices(CollectContext& ctx, v1::Snapshot& out) {
  const auto& fs = ctx.fs();
  auto names = fs.list_dir("/sys/block");
  if (!names) {
    ctx.unavailable("no /sys/block (sysfs not mounted or hidden in this container)");
    return {};
  }
  std::sort(names->begin(), names->end());
  bool smart = ctx.host().has_program("smartctl") && ctx.host().is_root();
  if (!ctx.host().has_program("smartctl"))
    ctx.note("smartctl not installed: SMART health unknown");
  else if (!smart)
    ctx.note("SMART health needs root");
  for (const auto& name : *names) {
    if (!ctx.within_budget()) return ctx.over_budget();
    if (skipped(name)) continue;
    std::string dir = "/sys/block/" + name + "/";
    auto* d = out.mutable_hardware()->add_block_devices();
    d->set_name(name);
    d->set_kind(kind_of(name));
    d->set_size_bytes(fs.read_uint(dir + "size").value_or(0) * 512);
    d->set_rotational(fs.read_uint(dir + "queue/rotational").value_or(0) == 1);
    d->set_removable(fs.read_uint(dir + "removable").value_or(0) == 1);
    d->set_model(fs.read_attr(dir + "device/model").value_or(""));
    d->set_vendor(fs.read_attr(dir + "device/vendor").value_or(""));
    d->set_serial(fs.read_attr(dir + "device/serial").value_or(""));
    if (d->kind() == BlockDevice::MAPPER) d->set_model(fs.read_attr(dir + "dm/name").value_or(""));
    if (d->kind() == BlockDevice::RAID) read_raid(ctx, name, out);
    bool physical = d->kind() == BlockDevice::DISK || d->kind() == BlockDevice::NVME;
    if (smart && physical && d->size_bytes() > 0) {
      auto run = ctx.run({"smartctl", "-H", "-A", "-j", "/dev/" + name}, std::chrono::seconds(5),
                         512 * 1024);
      if (run && !run->timed_out) {
        *d->mutable_smart() = parse_smartctl_json(run->stdout_text, run->exit_code.value_or(-1));
      } else {
        d->mutable_smart()->set_message(run ? run->describe() : run.error().message);
      }
    }
  }
  return {};
}

}  // namespace triage::agent
