// Source: api "smbios" (win_api_names.hpp): the raw structure table, walked by smbios_table.hpp.
// Structures: type 0 BIOS, 1 System, 2 Baseboard, 3 Chassis, 17 Memory Device (DSP0134 3.x).
#include "agent/collectors/windows_sources/windows_smbios.hpp"

#include <array>
#include <cctype>
#include <utility>

#include "agent/collectors/text.hpp"
#include "agent/collectors/windows_sources/smbios_table.hpp"
#include "agent/collectors/windows_sources/win_values.hpp"

namespace triage::agent {
namespace {

constexpr std::size_t kMaxModules = 256;
constexpr std::size_t kMaxText = 128;
constexpr std::uint64_t kMiB = 1024 * 1024;

enum StructureType : std::uint8_t {
  kBios = 0,
  kSystem = 1,
  kBaseboard = 2,
  kChassis = 3,
  kMemoryDevice = 17,
};

/// What firmware writes into a string it has nothing for (soldered memory: a serial of zeros).
bool placeholder(std::string_view s) {
  if (!s.empty() && s.find_first_not_of('0') == std::string_view::npos) return true;
  static constexpr std::array<std::string_view, 8> kPlaceholders = {
      "Not Specified",          "Unknown",      "NO DIMM", "Empty", "None", "Default string",
      "To Be Filled By O.E.M.", "Not Available"};
  for (auto p : kPlaceholders) {
    if (s.size() == p.size() && starts_with_nocase(s, p)) return true;
  }
  return false;
}

std::string module_text(const SmbiosStructure& s, std::size_t offset) {
  auto text = s.text(offset);
  return placeholder(text) ? std::string() : clean_text(text, kMaxText);
}

/// Servers often give the JEDEC manufacturer code in hex ("00AD063200AD": bank byte, then the
/// id); the common DRAM makers by name, anything else as written.
std::string memory_manufacturer(std::string text) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kJedec = {{
      {"AD", "SK Hynix"},
      {"CE", "Samsung"},
      {"2C", "Micron"},
      {"98", "Kingston"},
  }};
  bool hex = text.size() >= 4 && text.size() <= 16;
  for (char c : text) hex = hex && std::isxdigit(static_cast<unsigned char>(c));
  if (!hex) return text;
  auto id = to_lower(text.substr(2, 2));
  for (const auto& [code, name] : kJedec) {
    if (to_lower(code) == id) return std::string(name);
  }
  return text;
}

/// Bytes of the module; 0 when the slot is empty. SMBIOS 7.18.5: 0x7FFF defers to the extended
/// size (MB); bit 15 set means KB units; 0xFFFF is "unknown".
std::optional<std::uint64_t> module_size(const SmbiosStructure& s) {
  auto size = s.word(0x0C);
  if (!size || *size == 0) return std::nullopt;
  if (*size == 0xFFFF) return 0;
  if (*size == 0x7FFF) {
    auto extended = s.dword(0x1C);
    return extended ? (*extended & 0x7FFFFFFFu) * kMiB : 0;
  }
  if (*size & 0x8000) return static_cast<std::uint64_t>(*size & 0x7FFF) * 1024;
  return *size * kMiB;
}

/// Configured speed in MT/s (7.18.8: 0xFFFF defers to the extended field of SMBIOS 3.3).
std::optional<std::uint32_t> configured_speed(const SmbiosStructure& s) {
  auto speed = s.word(0x20);
  if (!speed || *speed == 0) return std::nullopt;
  if (*speed == 0xFFFF) {
    auto extended = s.dword(0x58);
    if (!extended || (*extended & 0x7FFFFFFFu) == 0) return std::nullopt;
    return *extended & 0x7FFFFFFFu;
  }
  return *speed;
}

void add_module(const SmbiosStructure& s, v1::HardwareInfo& hw) {
  auto size = module_size(s);
  if (!size) return;
  auto* m = hw.add_memory_modules();
  m->set_locator(clean_text(s.text(0x10), kMaxText));
  m->set_bank(module_text(s, 0x11));
  m->set_size_bytes(*size);
  if (auto type = s.byte(0x12)) m->set_type(smbios_memory_type_name(*type));
  if (auto form = s.byte(0x0E)) m->set_form_factor(smbios_form_factor_name(*form));
  if (auto speed = configured_speed(s)) m->set_speed_mts(*speed);
  m->set_manufacturer(memory_manufacturer(module_text(s, 0x17)));
  m->set_serial(module_text(s, 0x18));
  m->set_part_number(module_text(s, 0x1A));
}

}  // namespace

Result<void> collect_windows_smbios(CollectContext& ctx, v1::Snapshot& out) {
  WinHost* win = windows_host(ctx);
  if (!win) return {};
  auto answer = win->api("smbios");
  if (!answer) {
    if (answer.error().code == ErrorCode::kNotFound) {
      ctx.unavailable("no SMBIOS table: " + answer.error().message);
      return {};
    }
    return fail("reading the SMBIOS table", answer.error());
  }
  auto encoded = json_text(*answer, "table_base64");
  auto table = decode_base64(encoded);
  if (encoded.empty() || !table) return fail("the SMBIOS answer has no readable table_base64");
  auto structures = parse_smbios_table(*table);
  if (!structures) return fail("reading the SMBIOS table", structures.error());

  auto* hw = out.mutable_hardware();
  auto* dmi = hw->mutable_dmi();
  std::size_t modules = 0;
  for (const auto& s : *structures) {
    if (!ctx.within_budget()) return ctx.over_budget();
    switch (s.type) {
      case kBios:
        dmi->set_bios_vendor(clean_text(s.text(0x04), kMaxText));
        dmi->set_bios_version(clean_text(s.text(0x05), kMaxText));
        dmi->set_bios_date(clean_text(s.text(0x08), kMaxText));
        break;
      case kSystem:
        dmi->set_sys_vendor(clean_text(s.text(0x04), kMaxText));
        dmi->set_product_name(clean_text(s.text(0x05), kMaxText));
        dmi->set_product_version(clean_text(s.text(0x06), kMaxText));
        dmi->set_product_serial(clean_text(s.text(0x07), kMaxText));
        break;
      case kBaseboard:
        // Servers may list several boards (riser, backplane): the first is the main board.
        if (dmi->board_vendor().empty() && dmi->board_name().empty()) {
          dmi->set_board_vendor(clean_text(s.text(0x04), kMaxText));
          dmi->set_board_name(clean_text(s.text(0x05), kMaxText));
        }
        break;
      case kChassis:
        if (auto code = s.byte(0x05); code && dmi->chassis_type().empty())
          dmi->set_chassis_type(smbios_chassis_type_name(*code));
        break;
      case kMemoryDevice:
        if (modules < kMaxModules) {
          int before = hw->memory_modules_size();
          add_module(s, *hw);
          modules += static_cast<std::size_t>(hw->memory_modules_size() - before);
        }
        break;
      default:
        break;
    }
  }
  return {};
}

}  // namespace triage::agent
