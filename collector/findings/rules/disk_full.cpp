// disk.full: a writable filesystem close to full, per mount point.
#include <string>

#include "collector/findings/evidence_format.hpp"
#include "collector/findings/rules/filesystem_filter.hpp"
#include "collector/findings/rules/mount_owner.hpp"
#include "collector/findings/rules/rules.hpp"

namespace triage::collector::rules {
namespace {

/// Percent of the space available to users that is used (df's Use%).
constexpr float kWarningUsedPercent = 90.0F;
/// Above this, a few more minutes of logging or one download fills it.
constexpr float kCriticalUsedPercent = 97.0F;

/// Cleanup actions that free space on this filesystem, given where their data lives.
std::vector<std::string> cleanup_actions(const v1::HardwareInfo& hw, const std::string& mount) {
  std::vector<std::string> actions;
  if (mount_holds_path(hw, mount, "/var/log/journal")) actions.emplace_back("vacuum-journal");
  if (mount_holds_path(hw, mount, "/var/cache/apt") ||
      mount_holds_path(hw, mount, "/var/cache/dnf"))
    actions.emplace_back("clean-package-cache");
  if (mount_holds_path(hw, mount, "/var/tmp") || mount_holds_path(hw, mount, "/tmp"))
    actions.emplace_back("clear-temp-files");
  return actions;
}

void evaluate(const Rule& rule, const RuleContext& context, std::vector<Finding>& out) {
  const auto& hw = context.snapshot.hardware();
  for (const auto& fs : hw.filesystems()) {
    if (!fs.has_used_percent() || !is_writable_storage(fs)) continue;
    const float used = fs.used_percent();
    if (used < kWarningUsedPercent) continue;
    std::string evidence = fs.mount_point() + ": " + format_percent(used) + " used";
    if (fs.has_free_bytes() && fs.has_size_bytes()) {
      evidence +=
          " (" + format_bytes(fs.free_bytes()) + " free of " + format_bytes(fs.size_bytes()) + ")";
    }
    if (fs.has_inodes_used_percent())
      evidence += "; inodes " + format_whole_percent(fs.inodes_used_percent());
    if (!fs.fs_type().empty()) evidence += "; " + fs.fs_type();
    if (!fs.device().empty()) evidence += " on " + fs.device();
    out.push_back(make_finding(
        rule, used >= kCriticalUsedPercent ? Severity::kCritical : Severity::kWarning,
        fs.mount_point(), "Disk " + fs.mount_point() + " " + format_whole_percent(used) + " full",
        std::move(evidence), cleanup_actions(hw, fs.mount_point())));
  }
}

}  // namespace

const Rule kDiskFull{
    .id = "disk.full",
    .default_severity = Severity::kWarning,
    .condition =
        "A writable filesystem is at least 90 % used (critical at 97 %). Read-only and "
        "image filesystems (squashfs, iso9660...) are ignored.",
    .kb_article =
        "The filesystem is almost full. Applications fail to save files, updates fail and the "
        "desktop may not log in once it reaches 100 %. L1: run the suggested cleanup actions "
        "(journal vacuum, package cache, temp files) when they apply to this filesystem, and ask "
        "the user to empty Downloads and the trash. L2: find the large directories (du -xh "
        "--max-depth=2), check for runaway logs or core dumps, and plan a larger disk when "
        "usage is simply growing.",
    .evaluate = &evaluate,
};

}  // namespace triage::collector::rules
