// PCI devices and GPUs. Sources /sys/bus/pci/devices/*/{vendor,device,class} and the driver
// symlink; names from pci.ids (/usr/share/misc/pci.ids or /usr/share/hwdata/pci.ids) when
// installed, else a built-in table of common vendors and device classes. Linux; any user;
// one streamed pass over pci.ids (~1.4 MB, 64 KiB at a time) when present.
#include <algorithm>
#include <map>
#include <set>

#include "agent/collectors/line_splitter.hpp"
#include "agent/collectors/linux/pci.hpp"
#include "agent/collectors/linux/streamed_file.hpp"
#include "agent/collectors/text.hpp"

namespace triage::agent {
namespace {

const std::map<std::uint32_t, std::string_view> kVendors = {
    {0x8086, "Intel Corporation"},
    {0x1022, "Advanced Micro Devices, Inc. [AMD]"},
    {0x1002, "Advanced Micro Devices, Inc. [AMD/ATI]"},
    {0x10de, "NVIDIA Corporation"},
    {0x10ec, "Realtek Semiconductor Co., Ltd."},
    {0x14e4, "Broadcom Inc."},
    {0x168c, "Qualcomm Atheros"},
    {0x17cb, "Qualcomm Technologies, Inc"},
    {0x1af4, "Red Hat, Inc. (virtio)"},
    {0x1b36, "Red Hat, Inc. (QEMU)"},
    {0x15ad, "VMware"},
    {0x80ee, "InnoTek (VirtualBox)"},
    {0x144d, "Samsung Electronics Co Ltd"},
    {0x15b7, "Sandisk Corp"},
    {0x1c5c, "SK hynix"},
    {0x1987, "Phison Electronics"},
    {0x1b4b, "Marvell Technology Group Ltd."},
    {0x15b3, "Mellanox Technologies"},
    {0x1000, "Broadcom / LSI"},
    {0x103c, "Hewlett-Packard Company"},
    {0x1028, "Dell"},
    {0x14c3, "MEDIATEK Corp."},
    {0x1e0f, "KIOXIA Corporation"},
    {0x126f, "Silicon Motion"},
    {0x1344, "Micron Technology Inc"},
    {0x8087, "Intel Corp."}};

const std::map<std::uint32_t, std::string_view> kClasses = {
    {0x0100, "SCSI storage controller"},
    {0x0101, "IDE interface"},
    {0x0104, "RAID bus controller"},
    {0x0106, "SATA controller"},
    {0x0107, "Serial Attached SCSI controller"},
    {0x0108, "Non-Volatile memory controller"},
    {0x0200, "Ethernet controller"},
    {0x0280, "Network controller"},
    {0x0300, "VGA compatible controller"},
    {0x0302, "3D controller"},
    {0x0380, "Display controller"},
    {0x0403, "Audio device"},
    {0x0401, "Multimedia audio controller"},
    {0x0480, "Multimedia controller"},
    {0x0500, "RAM memory"},
    {0x0600, "Host bridge"},
    {0x0601, "ISA bridge"},
    {0x0604, "PCI bridge"},
    {0x0680, "Bridge"},
    {0x0700, "Serial controller"},
    {0x0780, "Communication controller"},
    {0x0805, "SD Host controller"},
    {0x0880, "System peripheral"},
    {0x0c03, "USB controller"},
    {0x0c05, "SMBus"},
    {0x0c80, "Serial bus controller"},
    {0x0d80, "Wireless controller"},
    {0x1180, "Signal processing controller"},
    {0x0c0a, "USB4 controller"}};

/// A sysfs "0x8086" attribute as a number.
std::optional<std::uint64_t> hex_attr(const FsRoot& fs, const std::string& path) {
  std::string text = fs.read_attr(path).value_or("");
  std::string_view v = text;
  if (v.starts_with("0x")) v.remove_prefix(2);
  return to_uint(v, 16);
}

}  // namespace

PciIdsLookup::PciIdsLookup(std::vector<std::pair<std::uint32_t, std::uint32_t>> wanted)
    : wanted_(std::move(wanted)) {
  for (auto [v, d] : wanted_) vendors_.insert(v);
}

bool PciIdsLookup::take_line(std::string_view line) {
  if (line.empty() || line[0] == '#') return true;
  if (line[0] == '\t' && !in_wanted_) return true;
  if (line.starts_with("C ")) return false;  // device classes follow; we have our own table
  if (line[0] != '\t') {
    auto v = to_uint(line.substr(0, 4), 16);
    current_ = v.value_or(0);
    in_wanted_ = v && vendors_.contains(current_);
    if (in_wanted_ && line.size() > 6) names_.vendors[current_] = std::string(trim(line.substr(4)));
  } else if (in_wanted_ && line.size() > 7 && line[1] != '\t') {
    auto d = to_uint(line.substr(1, 4), 16);
    if (d && std::find(wanted_.begin(), wanted_.end(),
                       std::make_pair(current_, static_cast<std::uint32_t>(*d))) != wanted_.end()) {
      names_.devices[{current_, static_cast<std::uint32_t>(*d)}] =
          std::string(trim(line.substr(5)));
    }
  }
  return true;
}

PciNames lookup_pci_ids(std::string_view ids,
                        const std::vector<std::pair<std::uint32_t, std::uint32_t>>& wanted) {
  PciIdsLookup lookup(wanted);
  LineSplitter lines([&lookup](std::string_view line) { return lookup.take_line(line); });
  lines.feed(ids);
  lines.finish();
  return lookup.names();
}

std::string pci_class_name(std::uint32_t class_code) {
  auto it = kClasses.find(class_code >> 8);
  if (it != kClasses.end()) return std::string(it->second);
  auto base = kClasses.find((class_code >> 8) & 0xff00);
  if (base != kClasses.end()) return std::string(base->second);
  char text[32];
  std::snprintf(text, sizeof text, "Unclassified (0x%04x)", class_code >> 8);
  return text;
}

Result<void> collect_pci(CollectContext& ctx, v1::Snapshot& out) {
  const auto& fs = ctx.fs();
  auto slots = fs.list_dir("/sys/bus/pci/devices");
  if (!slots) {
    ctx.unavailable("no PCI bus in /sys/bus/pci");
    return {};
  }
  std::sort(slots->begin(), slots->end());
  std::vector<std::pair<std::uint32_t, std::uint32_t>> wanted;
  auto* hw = out.mutable_hardware();
  for (const auto& slot : *slots) {
    if (!ctx.within_budget()) return ctx.over_budget();
    std::string dir = "/sys/bus/pci/devices/" + slot + "/";
    auto* d = hw->add_pci_devices();
    d->set_slot(slot);
    d->set_vendor_id(static_cast<std::uint32_t>(hex_attr(fs, dir + "vendor").value_or(0)));
    d->set_device_id(static_cast<std::uint32_t>(hex_attr(fs, dir + "device").value_or(0)));
    d->set_class_code(static_cast<std::uint32_t>(hex_attr(fs, dir + "class").value_or(0)));
    d->set_class_name(pci_class_name(d->class_code()));
    if (auto drv = fs.read_link(dir + "driver"))
      d->set_driver(std::string(drv->substr(drv->rfind('/') + 1)));
    wanted.emplace_back(d->vendor_id(), d->device_id());
  }
  // pci.ids streams past (plain, or compressed as some distributions ship it): ~1.4 MB of
  // text for a handful of names is not worth holding.
  PciIdsLookup lookup(std::move(wanted));
  for (const char* path : {"/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids"}) {
    if (!fs.exists(path)) continue;
    LineSplitter lines([&lookup](std::string_view line) { return lookup.take_line(line); });
    auto read = read_streamed_file(fs.resolve(path), 16 * 1024 * 1024,
                                   [&lines](std::string_view chunk) { return lines.feed(chunk); });
    lines.finish();
    if (!read) ctx.note(read.error().message);
    break;
  }
  const PciNames& names = lookup.names();
  for (auto& d : *hw->mutable_pci_devices()) {
    if (auto v = names.vendors.find(d.vendor_id()); v != names.vendors.end())
      d.set_vendor_name(v->second);
    else if (auto k = kVendors.find(d.vendor_id()); k != kVendors.end())
      d.set_vendor_name(std::string(k->second));
    if (auto n = names.devices.find({d.vendor_id(), d.device_id()}); n != names.devices.end())
      d.set_device_name(n->second);
    if ((d.class_code() >> 16) == 0x03) {
      auto* g = hw->add_gpus();
      g->set_slot(d.slot());
      g->set_vendor(d.vendor_name());
      char id[16];
      std::snprintf(id, sizeof id, "%04x:%04x", d.vendor_id(), d.device_id());
      g->set_model(d.device_name().empty() ? std::string("device ") + id : d.device_name());
      g->set_driver(d.driver());
    }
  }
  return {};
}

}  // namespace triage::agent
