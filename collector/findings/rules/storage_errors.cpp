// kernel.storage_errors: the kernel logged block I/O errors or filesystem errors since boot.
#include <set>
#include <string>

#include "collector/findings/rules/rules.hpp"

namespace triage::collector::rules {
namespace {

void evaluate(const Rule& rule, const RuleContext& context, std::vector<Finding>& out) {
  const auto& log = context.snapshot.health().kernel_log();
  // An unreadable kernel log (agent not root) says nothing either way.
  if (!log.readable() || (log.io_errors() == 0 && log.fs_errors() == 0)) return;
  std::set<std::string> devices;
  for (const auto& e : log.recent()) {
    if ((e.kind() == v1::KernelEvent::IO_ERROR || e.kind() == v1::KernelEvent::FS_ERROR) &&
        !e.device().empty())
      devices.insert(e.device());
  }
  std::string evidence = "kernel log since boot: " + std::to_string(log.io_errors()) +
                         " I/O errors, " + std::to_string(log.fs_errors()) + " filesystem errors";
  if (!devices.empty()) {
    evidence += "; devices in recent events:";
    for (const auto& d : devices) evidence += " " + d;
  }
  // Filesystem errors mean metadata damage already happened, not just a failed read.
  const bool fs_damage = log.fs_errors() > 0;
  out.push_back(make_finding(
      rule, fs_damage ? Severity::kCritical : Severity::kWarning, "",
      fs_damage ? "Kernel reported filesystem errors"
                : "Kernel reported " + std::to_string(log.io_errors()) + " disk I/O errors",
      std::move(evidence), {"collect-log-bundle"}));
}

}  // namespace

const Rule kStorageErrors{
    .id = "kernel.storage_errors",
    .default_severity = Severity::kWarning,
    .condition =
        "The kernel log since boot holds block I/O errors (warning) or filesystem errors "
        "(critical). Needs a readable kernel log.",
    .kb_article =
        "The kernel could not read or write a device, or found filesystem metadata damage. "
        "Causes: a failing disk, a loose cable or USB stick pulled while mounted, or a bad SD "
        "card. L1: collect the log bundle and check the disk findings (SMART) for the same "
        "device; removable media errors can be ignored once the device is gone. L2: read the "
        "kernel messages, check SMART, and schedule a filesystem check (fsck) from a rescue "
        "boot for filesystem errors.",
    .evaluate = &evaluate,
};

}  // namespace triage::collector::rules
