// Pending reboot. Sources: /var/run/reboot-required(.pkgs) (Debian/Ubuntu update-notifier),
// the running kernel's /lib/modules/<release> having disappeared (kernel upgraded and old one
// removed), and /run/reboot-needed (some RPM tooling). Linux; any user; a few stats.
#include "agent/collectors/linux/pending_reboot.hpp"
#include "agent/collectors/text.hpp"

namespace triage::agent {

Result<void> collect_pending_reboot(CollectContext& ctx, v1::Snapshot& out) {
  const auto& fs = ctx.fs();
  auto* pr = out.mutable_system()->mutable_pending_reboot();
  for (const char* path : {"/var/run/reboot-required", "/run/reboot-required"}) {
    if (fs.exists(path)) {
      pr->add_reasons(std::string(path) + " present");
      if (auto pkgs = fs.read(std::string(path) + ".pkgs", 64 * 1024)) {
        for (auto line : split_lines(*pkgs)) {
          line = trim(line);
          if (!line.empty() && pr->packages_size() < 100) pr->add_packages(std::string(line));
        }
      }
      break;
    }
  }
  auto release = fs.read_attr("/proc/sys/kernel/osrelease").value_or("");
  if (!release.empty() && fs.is_directory("/lib/modules") &&
      !fs.exists("/lib/modules/" + release) && !fs.exists("/usr/lib/modules/" + release)) {
    pr->add_reasons("running kernel " + release + " is no longer installed");
  }
  if (fs.exists("/run/reboot-needed")) pr->add_reasons("/run/reboot-needed present");
  pr->set_required(pr->reasons_size() > 0);
  return {};
}

}  // namespace triage::agent
