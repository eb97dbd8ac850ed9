// SMBIOS chassis type names, shared by the Linux dmi source (/sys/class/dmi/id/chassis_type)
// and the Windows SMBIOS table reader.
#include "agent/collectors/chassis_types.hpp"

#include <array>

namespace triage::agent {

std::string chassis_type_name(std::uint64_t code) {
  // SMBIOS 3.x, 7.4.1 System Enclosure or Chassis Types.
  static constexpr std::array<std::string_view, 37> kNames = {"",
                                                              "Other",
                                                              "Unknown",
                                                              "Desktop",
                                                              "Low Profile Desktop",
                                                              "Pizza Box",
                                                              "Mini Tower",
                                                              "Tower",
                                                              "Portable",
                                                              "Laptop",
                                                              "Notebook",
                                                              "Hand Held",
                                                              "Docking Station",
                                                              "All in One",
                                                              "Sub Notebook",
                                                              "Space-saving",
                                                              "Lunch Box",
                                                              "Main Server Chassis",
                                                              "Expansion Chassis",
                                                              "SubChassis",
                                                              "Bus Expansion Chassis",
                                                              "Peripheral Chassis",
                                                              "RAID Chassis",
                                                              "Rack Mount Chassis",
                                                              "Sealed-case PC",
                                                              "Multi-system chassis",
                                                              "Compact PCI",
                                                              "Advanced TCA",
                                                              "Blade",
                                                              "Blade Enclosure",
                                                              "Tablet",
                                                              "Convertible",
                                                              "Detachable",
                                                              "IoT Gateway",
                                                              "Embedded PC",
                                                              "Mini PC",
                                                              "Stick PC"};
  if (code < kNames.size()) return std::string(kNames[code]);
  return "Unknown";
}

}  // namespace triage::agent
