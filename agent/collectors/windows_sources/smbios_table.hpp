#pragma once
// The SMBIOS structure table (DMTF DSP0134) as GetSystemFirmwareTable('RSMB') returns it after
// its 8-byte RawSMBIOSData header: a walk over its structures that never reads past the end of
// the table, whatever the firmware (or a hostile recording) put in it, and the names of the
// codes the Windows sources report. Pure; portable.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/util/result.hpp"

namespace triage::agent {

/// One structure: its formatted area (header included) and its strings, as views into the
/// table the caller keeps alive.
struct SmbiosStructure {
  std::uint8_t type = 0;
  std::uint16_t handle = 0;
  /// The formatted area, from the type byte on; its length is the header's length byte.
  std::string_view formatted;
  /// The string set; string number N (1-based) is strings[N - 1].
  std::vector<std::string_view> strings;

  /// The field at `offset` of the formatted area, when the structure is that long (older
  /// SMBIOS versions have shorter structures).
  std::optional<std::uint8_t> byte(std::size_t offset) const;
  std::optional<std::uint16_t> word(std::size_t offset) const;
  std::optional<std::uint32_t> dword(std::size_t offset) const;
  /// The string the byte at `offset` refers to, trimmed of the padding vendors put around it;
  /// "" for string number 0 ("none"), a number past the string set, or a short structure.
  std::string text(std::size_t offset) const;
};

/// The structures of `table`, up to the end-of-table structure (type 127) or `max_structures`.
/// A structure whose header or strings run past the end of the table ends the walk: what came
/// before it is returned. Fails only when not even one structure is whole.
Result<std::vector<SmbiosStructure>> parse_smbios_table(std::string_view table,
                                                        std::size_t max_structures = 1024);

/// Standard base64 (RFC 4648, padding optional, whitespace ignored); nullopt on another
/// character.
std::optional<std::string> decode_base64(std::string_view text);

/// SMBIOS 7.4.1 chassis types, as the Linux dmi source names them ("Notebook", "Rack Mount
/// Chassis"); the lock bit (bit 7) is ignored. "Unknown" past the table.
std::string smbios_chassis_type_name(std::uint8_t code);
/// SMBIOS 7.18.2 memory device types: "DDR4", "LPDDR5"; "" for Other/Unknown and past the table.
std::string smbios_memory_type_name(std::uint8_t code);
/// SMBIOS 7.18.1 memory device form factors: "DIMM", "SODIMM", "Row of chips"; "" for
/// Other/Unknown.
std::string smbios_form_factor_name(std::uint8_t code);

}  // namespace triage::agent
