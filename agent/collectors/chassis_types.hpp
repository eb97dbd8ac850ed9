#pragma once
// SMBIOS 3.x, 7.4.1 System Enclosure or Chassis Types: the code to its name ("Notebook").

#include <cstdint>
#include <string>

namespace triage::agent {

/// The name of chassis type `code` (without the lock bit); "Unknown" beyond the table.
std::string chassis_type_name(std::uint64_t code);

}  // namespace triage::agent
