// Machine identity from SMBIOS: vendor, model, serial, board, BIOS, chassis.
// Source /sys/class/dmi/id/*. Linux x86/UEFI; serial needs root; a dozen tiny files.
#include "agent/collectors/linux/dmi.hpp"

#include "agent/collectors/chassis_types.hpp"

namespace triage::agent {

Result<void> collect_dmi(CollectContext& ctx, v1::Snapshot& out) {
  const auto& fs = ctx.fs();
  const std::string dir = "/sys/class/dmi/id/";
  if (!fs.is_directory(dir)) {
    ctx.unavailable(
        "no SMBIOS/DMI table (/sys/class/dmi/id absent: container, VM without DMI or ARM)");
    return {};
  }
  auto attr = [&](const char* name) { return fs.read_attr(dir + name).value_or(""); };
  auto* dmi = out.mutable_hardware()->mutable_dmi();
  dmi->set_sys_vendor(attr("sys_vendor"));
  dmi->set_product_name(attr("product_name"));
  dmi->set_product_version(attr("product_version"));
  dmi->set_product_serial(attr("product_serial"));
  dmi->set_board_vendor(attr("board_vendor"));
  dmi->set_board_name(attr("board_name"));
  dmi->set_bios_vendor(attr("bios_vendor"));
  dmi->set_bios_version(attr("bios_version"));
  dmi->set_bios_date(attr("bios_date"));
  if (auto code = fs.read_uint(dir + "chassis_type"))
    dmi->set_chassis_type(chassis_type_name(*code));
  if (dmi->product_serial().empty() && !ctx.host().is_root()) ctx.note("serial number needs root");
  return {};
}

}  // namespace triage::agent
