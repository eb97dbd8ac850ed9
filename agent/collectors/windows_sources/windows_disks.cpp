// Sources: root\Microsoft\Windows\Storage MSFT_PhysicalDisk (DeviceId is the N of
// \\.\PhysicalDriveN), root\cimv2 Win32_DiskDrive (Index, PNPDeviceID), root\WMI
// MSStorageDriver_FailurePredictStatus (InstanceName: the disk's PNPDeviceID plus "_0"). The
// prediction is matched to a disk through Win32_DiskDrive's PNPDeviceID, the only class that
// names both. Disks behind a RAID controller show as the controller's virtual disks, without a
// prediction of their own.
#include "agent/collectors/windows_sources/windows_disks.hpp"

#include <algorithm>
#include <map>

#include "agent/collectors/text.hpp"
#include "agent/collectors/windows_sources/win_values.hpp"

namespace triage::agent {
namespace {

constexpr std::size_t kMaxDisks = 128;
constexpr std::size_t kMaxText = 256;
using v1::BlockDevice;

/// MSFT_PhysicalDisk.BusType (STORAGE_BUS_TYPE).
std::string bus_type_name(std::uint64_t code) {
  switch (code) {
    case 1:
      return "SCSI";
    case 2:
      return "ATAPI";
    case 3:
      return "ATA";
    case 4:
      return "1394";
    case 5:
      return "SSA";
    case 6:
      return "Fibre Channel";
    case 7:
      return "USB";
    case 8:
      return "RAID";
    case 9:
      return "iSCSI";
    case 10:
      return "SAS";
    case 11:
      return "SATA";
    case 12:
      return "SD";
    case 13:
      return "MMC";
    case 14:
      return "Virtual";
    case 15:
      return "File Backed Virtual";
    case 16:
      return "Storage Spaces";
    case 17:
      return "NVMe";
    case 18:
      return "SCM";
    case 19:
      return "UFS";
    default:
      return {};
  }
}

/// MSFT_PhysicalDisk.MediaType.
std::string media_type_name(std::uint64_t code) {
  switch (code) {
    case 3:
      return "HDD";
    case 4:
      return "SSD";
    case 5:
      return "SCM";
    default:
      return {};
  }
}

BlockDevice::Kind kind_of(std::string_view bus) {
  if (bus == "NVMe") return BlockDevice::NVME;
  if (bus == "Virtual" || bus == "File Backed Virtual") return BlockDevice::VIRTUAL;
  if (bus == "SD" || bus == "MMC") return BlockDevice::MMC;
  return BlockDevice::DISK;
}

/// "HealthStatus" of MSFT_PhysicalDisk: the storage stack's own verdict.
std::string health_status_name(std::uint64_t code) {
  switch (code) {
    case 0:
      return "Healthy";
    case 1:
      return "Warning";
    case 2:
      return "Unhealthy";
    default:
      return {};
  }
}

/// The PnP instance a failure prediction belongs to: its InstanceName without the "_0".
std::string instance_of(std::string instance_name) {
  auto underscore = instance_name.rfind('_');
  if (underscore != std::string::npos &&
      std::all_of(instance_name.begin() + static_cast<std::ptrdiff_t>(underscore) + 1,
                  instance_name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    instance_name.resize(underscore);
  }
  return to_lower(instance_name);
}

std::string vendor_text(std::string text) {
  // Win32_DiskDrive's placeholder for "the standard driver", not a maker.
  return text == "(Standard disk drives)" ? std::string() : clean_text(trim(text), kMaxText);
}

struct Drive {
  nlohmann::json row;
  std::string pnp;  // lower case
};

}  // namespace

Result<void> collect_windows_disks(CollectContext& ctx, v1::Snapshot& out) {
  WinHost* win = windows_host(ctx);
  if (!win) return {};
  auto physical = win->wmi("root\\Microsoft\\Windows\\Storage", "MSFT_PhysicalDisk",
                           {"DeviceId", "FriendlyName", "Model", "Manufacturer", "SerialNumber",
                            "MediaType", "BusType", "Size", "HealthStatus"});
  auto drives = win->wmi("root\\cimv2", "Win32_DiskDrive",
                         {"Index", "Model", "Manufacturer", "SerialNumber", "Size", "PNPDeviceID",
                          "InterfaceType", "MediaType"});
  if (!physical && !drives) return fail("listing the disks", drives.error());
  if (!physical) ctx.note("Storage Management: " + physical.error().message);

  // Win32_DiskDrive by disk number: the fallback, and the PnP id predictions are keyed by.
  std::map<std::uint64_t, Drive> by_index;
  if (drives) {
    for (auto& row : *drives) {
      if (!ctx.within_budget()) return ctx.over_budget();
      auto index = json_uint(row, "Index");
      if (!index || by_index.size() >= kMaxDisks) continue;
      auto pnp = to_lower(json_text(row, "PNPDeviceID"));
      by_index[*index] = Drive{std::move(row), std::move(pnp)};
    }
  }
  // Prediction by PnP instance.
  std::map<std::string, const nlohmann::json*> predictions;
  auto predict = win->wmi("root\\WMI", "MSStorageDriver_FailurePredictStatus",
                          {"InstanceName", "PredictFailure", "Reason", "Active"});
  if (predict) {
    for (const auto& row : *predict) {
      if (predictions.size() >= kMaxDisks) break;
      if (json_bool(row, "Active").value_or(true) == false) continue;
      predictions[instance_of(json_text(row, "InstanceName"))] = &row;
    }
  } else {
    ctx.note("failure prediction: " + predict.error().message);
  }

  auto* hw = out.mutable_hardware();
  auto add_prediction = [&](BlockDevice& d, std::uint64_t index) {
    auto drive = by_index.find(index);
    if (drive == by_index.end() || drive->second.pnp.empty()) return;
    auto p = predictions.find(drive->second.pnp);
    if (p == predictions.end()) return;
    auto failing = json_bool(*p->second, "PredictFailure");
    if (!failing) return;
    auto* smart = d.mutable_smart();
    smart->set_health(*failing ? v1::SmartStatus::FAILING : v1::SmartStatus::PASSED);
    if (*failing) {
      smart->set_message("the drive predicts its failure (reason code " +
                         json_text(*p->second, "Reason") + ")");
    }
  };

  if (physical && !physical->empty()) {
    for (const auto& row : *physical) {
      if (!ctx.within_budget()) return ctx.over_budget();
      if (static_cast<std::size_t>(hw->block_devices_size()) >= kMaxDisks) break;
      auto id = json_uint(row, "DeviceId");
      if (!id) continue;
      auto* d = hw->add_block_devices();
      d->set_name("PhysicalDrive" + std::to_string(*id));
      auto bus = bus_type_name(json_uint(row, "BusType").value_or(0));
      d->set_bus_type(bus);
      d->set_kind(kind_of(bus));
      d->set_media_type(media_type_name(json_uint(row, "MediaType").value_or(0)));
      d->set_rotational(d->media_type() == "HDD");
      d->set_removable(bus == "USB" || bus == "SD");
      auto model = json_text(row, "Model");
      if (trim(model).empty()) model = json_text(row, "FriendlyName");
      d->set_model(clean_text(trim(model), kMaxText));
      d->set_vendor(vendor_text(json_text(row, "Manufacturer")));
      d->set_serial(clean_text(trim(json_text(row, "SerialNumber")), kMaxText));
      d->set_size_bytes(json_uint(row, "Size").value_or(0));
      add_prediction(*d, *id);
      auto health = health_status_name(json_uint(row, "HealthStatus").value_or(5));
      if (health == "Warning" || health == "Unhealthy") {
        auto* smart = d->mutable_smart();
        auto message = "storage health " + health;
        smart->set_message(smart->message().empty() ? message : smart->message() + "; " + message);
      }
    }
    return {};
  }

  for (const auto& [index, drive] : by_index) {
    if (!ctx.within_budget()) return ctx.over_budget();
    const auto& row = drive.row;
    auto* d = hw->add_block_devices();
    d->set_name("PhysicalDrive" + std::to_string(index));
    auto interface = json_text(row, "InterfaceType");
    auto model = json_text(row, "Model");
    // Win32_DiskDrive calls every NVMe and SATA disk "SCSI"; the PnP id tells NVMe apart.
    bool nvme = drive.pnp.find("ven_nvme") != std::string::npos ||
                to_lower(model).find("nvme") != std::string::npos;
    d->set_bus_type(nvme ? "NVMe" : interface == "USB" ? "USB" : "");
    d->set_kind(nvme ? BlockDevice::NVME : BlockDevice::DISK);
    d->set_removable(interface == "USB" ||
                     json_text(row, "MediaType").find("Removable") != std::string::npos);
    d->set_model(clean_text(trim(model), kMaxText));
    d->set_vendor(vendor_text(json_text(row, "Manufacturer")));
    d->set_serial(clean_text(trim(json_text(row, "SerialNumber")), kMaxText));
    d->set_size_bytes(json_uint(row, "Size").value_or(0));
    add_prediction(*d, index);
  }
  return {};
}

}  // namespace triage::agent
