// USB devices. Source /sys/bus/usb/devices/<bus-port>/{idVendor,idProduct,manufacturer,product,
// bDeviceClass,speed} (interfaces "1-1:1.0" give the class when the device defers to them).
// Root hubs are left out. Linux; any user; a few files per device.
#include <algorithm>
#include <map>

#include "agent/collectors/linux/usb.hpp"
#include "agent/collectors/text.hpp"

namespace triage::agent {

std::string usb_class_name(std::uint32_t code) {
  static const std::map<std::uint32_t, std::string_view> kNames = {{0x01, "Audio"},
                                                                   {0x02, "Communications"},
                                                                   {0x03, "Human Interface Device"},
                                                                   {0x05, "Physical"},
                                                                   {0x06, "Imaging"},
                                                                   {0x07, "Printer"},
                                                                   {0x08, "Mass Storage"},
                                                                   {0x09, "Hub"},
                                                                   {0x0a, "CDC Data"},
                                                                   {0x0b, "Smart Card"},
                                                                   {0x0d, "Content Security"},
                                                                   {0x0e, "Video"},
                                                                   {0x0f, "Personal Healthcare"},
                                                                   {0x10, "Audio/Video"},
                                                                   {0x11, "Billboard"},
                                                                   {0xdc, "Diagnostic"},
                                                                   {0xe0, "Wireless"},
                                                                   {0xef, "Miscellaneous"},
                                                                   {0xfe, "Application Specific"},
                                                                   {0xff, "Vendor Specific"}};
  auto it = kNames.find(code);
  return it == kNames.end() ? std::string() : std::string(it->second);
}

Result<void> collect_usb(CollectContext& ctx, v1::Snapshot& out) {
  const auto& fs = ctx.fs();
  auto entries = fs.list_dir("/sys/bus/usb/devices");
  if (!entries) {
    ctx.unavailable("no USB bus in /sys/bus/usb");
    return {};
  }
  std::sort(entries->begin(), entries->end());
  for (const auto& name : *entries) {
    if (!ctx.within_budget()) return ctx.over_budget();
    if (name.find(':') != std::string::npos || name.starts_with("usb")) continue;
    std::string dir = "/sys/bus/usb/devices/" + name + "/";
    auto vendor = to_uint(fs.read_attr(dir + "idVendor").value_or(""), 16);
    if (!vendor) continue;
    auto* d = out.mutable_hardware()->add_usb_devices();
    d->set_bus_path(name);
    d->set_vendor_id(static_cast<std::uint32_t>(*vendor));
    d->set_product_id(static_cast<std::uint32_t>(
        to_uint(fs.read_attr(dir + "idProduct").value_or(""), 16).value_or(0)));
    d->set_manufacturer(fs.read_attr(dir + "manufacturer").value_or(""));
    d->set_product(fs.read_attr(dir + "product").value_or(""));
    auto cls = to_uint(fs.read_attr(dir + "bDeviceClass").value_or(""), 16).value_or(0);
    if (cls == 0) {
      // Class defined per interface: take the first interface's.
      cls = to_uint(
                fs.read_attr("/sys/bus/usb/devices/" + name + ":1.0/bInterfaceClass").value_or(""),
                16)
                .value_or(0);
    }
    d->set_class_name(usb_class_name(static_cast<std::uint32_t>(cls)));
    if (auto speed = to_double(fs.read_attr(dir + "speed").value_or(""))) {
      d->set_speed_mbps(clamp_to<std::uint32_t>(*speed));
    }
  }
  return {};
}

}  // namespace triage::agent
