// SMBIOS table walk: DSP0134 3.x section 6.1.2 (structure header, string set ending in a double
// NUL) and the code tables of sections 7.4.1, 7.18.1 and 7.18.2.
#include "agent/collectors/windows_sources/smbios_table.hpp"

#include <array>

#include "agent/collectors/chassis_types.hpp"

namespace triage::agent {
namespace {

constexpr std::uint8_t kEndOfTable = 127;
constexpr std::size_t kHeaderSize = 4;

std::string_view trim_padding(std::string_view s) {
  auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

std::optional<std::uint8_t> SmbiosStructure::byte(std::size_t offset) const {
  if (offset >= formatted.size()) return std::nullopt;
  return static_cast<std::uint8_t>(formatted[offset]);
}

std::optional<std::uint16_t> SmbiosStructure::word(std::size_t offset) const {
  auto lo = byte(offset), hi = byte(offset + 1);
  if (!lo || !hi) return std::nullopt;
  return static_cast<std::uint16_t>(*lo | (*hi << 8));
}

std::optional<std::uint32_t> SmbiosStructure::dword(std::size_t offset) const {
  auto lo = word(offset), hi = word(offset + 2);
  if (!lo || !hi) return std::nullopt;
  return static_cast<std::uint32_t>(*lo) | (static_cast<std::uint32_t>(*hi) << 16);
}

std::string SmbiosStructure::text(std::size_t offset) const {
  auto number = byte(offset);
  if (!number || *number == 0 || *number > strings.size()) return {};
  return std::string(trim_padding(strings[*number - 1]));
}

Result<std::vector<SmbiosStructure>> parse_smbios_table(std::string_view table,
                                                        std::size_t max_structures) {
  std::vector<SmbiosStructure> out;
  std::size_t pos = 0;
  while (pos + kHeaderSize <= table.size() && out.size() < max_structures) {
    SmbiosStructure s;
    s.type = static_cast<std::uint8_t>(table[pos]);
    const std::size_t length = static_cast<std::uint8_t>(table[pos + 1]);
    s.handle = static_cast<std::uint16_t>(static_cast<std::uint8_t>(table[pos + 2]) |
                                          (static_cast<std::uint8_t>(table[pos + 3]) << 8));
    // A length below the header's own size would make the walk stand still.
    if (length < kHeaderSize || pos + length > table.size()) break;
    s.formatted = table.substr(pos, length);
    // The string set: NUL-terminated strings, then one more NUL (two NULs when empty).
    std::size_t cursor = pos + length;
    bool whole = false;
    if (cursor + 1 < table.size() && table[cursor] == '\0' && table[cursor + 1] == '\0') {
      cursor += 2;
      whole = true;
    } else {
      while (cursor < table.size()) {
        auto end = table.find('\0', cursor);
        if (end == std::string_view::npos) break;
        s.strings.push_back(table.substr(cursor, end - cursor));
        cursor = end + 1;
        if (cursor < table.size() && table[cursor] == '\0') {
          ++cursor;
          whole = true;
          break;
        }
      }
    }
    if (!whole) break;
    const bool end_of_table = s.type == kEndOfTable;
    out.push_back(std::move(s));
    if (end_of_table) break;
    pos = cursor;
  }
  if (out.empty()) return fail("SMBIOS table holds no whole structure");
  return out;
}

std::optional<std::string> decode_base64(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 4 * 3);
  std::uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    if (c == '=' || c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    int v = base64_value(c);
    if (v < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xFF);
    }
  }
  return out;
}

std::string smbios_chassis_type_name(std::uint8_t code) {
  return chassis_type_name(code & 0x7F);  // bit 7: a chassis lock is present
}

std::string smbios_memory_type_name(std::uint8_t code) {
  static constexpr std::array<std::string_view, 0x25> kNames = {"",
                                                                "",
                                                                "",
                                                                "DRAM",
                                                                "EDRAM",
                                                                "VRAM",
                                                                "SRAM",
                                                                "RAM",
                                                                "ROM",
                                                                "Flash",
                                                                "EEPROM",
                                                                "FEPROM",
                                                                "EPROM",
                                                                "CDRAM",
                                                                "3DRAM",
                                                                "SDRAM",
                                                                "SGRAM",
                                                                "RDRAM",
                                                                "DDR",
                                                                "DDR2",
                                                                "DDR2 FB-DIMM",
                                                                "",
                                                                "",
                                                                "",
                                                                "DDR3",
                                                                "FBD2",
                                                                "DDR4",
                                                                "LPDDR",
                                                                "LPDDR2",
                                                                "LPDDR3",
                                                                "LPDDR4",
                                                                "Logical non-volatile device",
                                                                "HBM",
                                                                "HBM2",
                                                                "DDR5",
                                                                "LPDDR5",
                                                                "HBM3"};
  if (code < kNames.size()) return std::string(kNames[code]);
  return {};
}

std::string smbios_form_factor_name(std::uint8_t code) {
  static constexpr std::array<std::string_view, 0x11> kNames = {
      "",        "",       "",
      "SIMM",    "SIP",    "Chip",
      "DIP",     "ZIP",    "Proprietary Card",
      "DIMM",    "TSOP",   "Row of chips",
      "RIMM",    "SODIMM", "SRIMM",
      "FB-DIMM", "Die"};
  if (code < kNames.size()) return std::string(kNames[code]);
  return {};
}

}  // namespace triage::agent
