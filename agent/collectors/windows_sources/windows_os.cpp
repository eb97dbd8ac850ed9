// Sources: HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion (ProductName, EditionID,
// DisplayVersion or ReleaseId, CurrentBuildNumber, UBR, InstallDate in Unix seconds),
// ...\Control\ProductOptions (ProductType), ...\Control\ComputerName\ActiveComputerName,
// HKLM\SOFTWARE\Microsoft\Cryptography (MachineGuid) and the system environment's
// PROCESSOR_ARCHITECTURE.
#include "agent/collectors/windows_sources/windows_os.hpp"

#include <charconv>

#include "agent/collectors/windows_sources/win_values.hpp"

namespace triage::agent {
namespace {

constexpr std::string_view kCurrentVersion =
    "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion";
// Windows 11 kept "Windows 10" in ProductName; its builds start here.
constexpr std::uint32_t kFirstWindows11Build = 22000;

std::uint32_t parse_build(const std::string& text) {
  std::uint32_t build = 0;
  std::from_chars(text.data(), text.data() + text.size(), build);
  return build;
}

std::string product_type(std::string_view registry_value) {
  if (registry_value == "WinNT") return "workstation";
  if (registry_value == "ServerNT") return "server";
  if (registry_value == "LanmanNT") return "domain controller";
  return {};
}

std::string architecture(std::string_view processor_architecture) {
  if (processor_architecture == "AMD64") return "x86_64";
  if (processor_architecture == "ARM64") return "aarch64";
  if (processor_architecture == "x86") return "i686";
  return std::string(processor_architecture);
}

}  // namespace

Result<void> collect_windows_os(CollectContext& ctx, v1::Snapshot& out) {
  WinHost* win = windows_host(ctx);
  if (!win) return {};
  auto version = win->registry(kCurrentVersion);
  if (!version) return fail("reading the Windows version", version.error());

  auto* sys = out.mutable_system();
  auto* windows = sys->mutable_windows();
  windows->set_edition(version->text("EditionID"));
  auto display_version = version->text("DisplayVersion");
  if (display_version.empty()) display_version = version->text("ReleaseId");
  windows->set_display_version(display_version);
  windows->set_build(parse_build(version->text("CurrentBuildNumber")));
  windows->set_ubr(static_cast<std::uint32_t>(version->number("UBR").value_or(0)));
  if (auto installed = version->number("InstallDate"); installed && *installed > 0) {
    windows->set_install_time_unix_ms(static_cast<std::int64_t>(*installed) * 1000);
  }

  std::string product = version->text("ProductName");
  if (windows->build() >= kFirstWindows11Build && product.rfind("Windows 10", 0) == 0) {
    product.replace(0, 10, "Windows 11");
  }
  sys->set_os_pretty_name(display_version.empty() ? product : product + " " + display_version);
  sys->set_os_id("windows");
  auto major = version->number("CurrentMajorVersionNumber");
  auto minor = version->number("CurrentMinorVersionNumber");
  std::string numeric = major ? std::to_string(*major) + "." + std::to_string(minor.value_or(0))
                              : version->text("CurrentVersion");
  sys->set_os_version_id(numeric + "." + std::to_string(windows->build()));
  sys->set_kernel_release(std::to_string(windows->build()) + "." + std::to_string(windows->ubr()));

  if (auto options = win->registry("HKLM\\SYSTEM\\CurrentControlSet\\Control\\ProductOptions")) {
    windows->set_product_type(product_type(options->text("ProductType")));
  }
  if (auto name = win->registry(
          "HKLM\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ActiveComputerName")) {
    sys->set_hostname(name->text("ComputerName"));
  }
  if (auto crypto = win->registry("HKLM\\SOFTWARE\\Microsoft\\Cryptography")) {
    sys->set_machine_id(crypto->text("MachineGuid"));
  }
  if (auto env =
          win->registry("HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment")) {
    sys->set_arch(architecture(env->text("PROCESSOR_ARCHITECTURE")));
  }
  return {};
}

}  // namespace triage::agent
