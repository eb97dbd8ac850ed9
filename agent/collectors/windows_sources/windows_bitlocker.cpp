// Source: root\CIMV2\Security\MicrosoftVolumeEncryption Win32_EncryptableVolume (DriveLetter,
// DeviceID, ProtectionStatus, VolumeType, ConversionStatus, EncryptionMethod; and
// EncryptionPercentage, which GetConversionStatus() answers: the live host adds it for volumes
// being encrypted or decrypted). Needs administrator.
#include "agent/collectors/windows_sources/windows_bitlocker.hpp"

#include "agent/collectors/text.hpp"
#include "agent/collectors/windows_sources/win_values.hpp"

namespace triage::agent {
namespace {

constexpr std::string_view kNamespace = "root\\CIMV2\\Security\\MicrosoftVolumeEncryption";
constexpr std::size_t kMaxVolumes = 64;
constexpr std::size_t kMaxText = 128;

// ProtectionStatus.
constexpr std::uint64_t kProtectionOff = 0;
constexpr std::uint64_t kProtectionOn = 1;
// VolumeType: 0 the operating system's volume, 1 fixed data, 2 removable data.
constexpr std::uint64_t kOsVolume = 0;
// ConversionStatus.
constexpr std::uint64_t kFullyDecrypted = 0;
constexpr std::uint64_t kFullyEncrypted = 1;

}  // namespace

std::string bitlocker_method_name(std::uint64_t method) {
  switch (method) {
    case 1:
      return "AES-128 with Diffuser";
    case 2:
      return "AES-256 with Diffuser";
    case 3:
      return "AES-128";
    case 4:
      return "AES-256";
    case 5:
      return "Hardware encryption";
    case 6:
      return "XTS-AES 128";
    case 7:
      return "XTS-AES 256";
    default:
      return {};
  }
}

Result<void> collect_windows_bitlocker(CollectContext& ctx, v1::Snapshot& out) {
  WinHost* win = windows_host(ctx);
  if (!win) return {};
  auto rows = win->wmi(kNamespace, "Win32_EncryptableVolume",
                       {"DriveLetter", "DeviceID", "ProtectionStatus", "VolumeType",
                        "ConversionStatus", "EncryptionMethod", "EncryptionPercentage"});
  if (!rows) {
    if (rows.error().code == ErrorCode::kNotFound) {
      ctx.unavailable("BitLocker's WMI provider (" + std::string(kNamespace) +
                      ") is missing: this edition or system has no BitLocker");
      return {};
    }
    return fail("reading BitLocker's volumes", rows.error());
  }

  auto* security = out.mutable_security();
  std::size_t kept = 0;
  for (const auto& row : *rows) {
    if (!ctx.within_budget()) return ctx.over_budget();
    if (kept == kMaxVolumes) {
      ctx.note("more than " + std::to_string(kMaxVolumes) + " volumes: the rest not listed");
      break;
    }
    auto letter = clean_text(json_text(row, "DriveLetter"), kMaxText);
    auto device = clean_text(json_text(row, "DeviceID"), kMaxText);
    if (letter.empty() && device.empty()) continue;
    ++kept;
    auto* volume = security->add_encrypted_volumes();
    // A volume without a letter (recovery, EFI, mounted in a folder) is named by its GUID path.
    volume->set_name(letter.empty() ? device : letter);
    volume->set_type("BitLocker");
    volume->set_backing_device(device);
    if (!letter.empty()) volume->add_mount_points(letter + "\\");

    auto protection = json_uint(row, "ProtectionStatus");
    if (protection == kProtectionOn || protection == kProtectionOff) {
      volume->set_protection_on(*protection == kProtectionOn);
    }
    auto conversion = json_uint(row, "ConversionStatus");
    // Unlocked and holding encrypted data: what "active" means for a LUKS mapping.
    volume->set_active(conversion && *conversion != kFullyDecrypted);
    if (auto percent = json_uint(row, "EncryptionPercentage"); percent && *percent <= 100) {
      volume->set_encrypted_percent(static_cast<float>(*percent));
    } else if (conversion == kFullyEncrypted) {
      volume->set_encrypted_percent(100.0F);
    } else if (conversion == kFullyDecrypted) {
      volume->set_encrypted_percent(0.0F);
    }
    if (auto method = json_uint(row, "EncryptionMethod")) {
      volume->set_method(bitlocker_method_name(*method));
    }
    auto type = json_uint(row, "VolumeType");
    volume->set_system_volume(type == kOsVolume);
    if (volume->system_volume() && volume->has_protection_on()) {
      security->set_root_encrypted(volume->protection_on());
    }
  }
  return {};
}

}  // namespace triage::agent
