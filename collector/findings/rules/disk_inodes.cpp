// disk.inodes: a filesystem running out of inodes (file entries) while it may still have space.
#include <string>

#include "collector/findings/evidence_format.hpp"
#include "collector/findings/rules/filesystem_filter.hpp"
#include "collector/findings/rules/rules.hpp"

namespace triage::collector::rules {
namespace {

constexpr float kWarningInodesPercent = 90.0F;
constexpr float kCriticalInodesPercent = 97.0F;

void evaluate(const Rule& rule, const RuleContext& context, std::vector<Finding>& out) {
  for (const auto& fs : context.snapshot.hardware().filesystems()) {
    if (!fs.has_inodes_used_percent() || !is_writable_storage(fs)) continue;
    const float used = fs.inodes_used_percent();
    if (used < kWarningInodesPercent) continue;
    std::string evidence = fs.mount_point() + ": inodes " + format_percent(used) + " used";
    if (fs.has_inodes_used() && fs.has_inodes_total()) {
      evidence += " (" + std::to_string(fs.inodes_used()) + " of " +
                  std::to_string(fs.inodes_total()) + ")";
    }
    if (fs.has_used_percent()) evidence += "; space " + format_whole_percent(fs.used_percent());
    out.push_back(make_finding(
        rule, used >= kCriticalInodesPercent ? Severity::kCritical : Severity::kWarning,
        fs.mount_point(),
        "Disk " + fs.mount_point() + " out of inodes (" + format_whole_percent(used) + ")",
        std::move(evidence), {"clear-temp-files", "clean-package-cache"}));
  }
}

}  // namespace

const Rule kDiskInodes{
    .id = "disk.inodes",
    .default_severity = Severity::kWarning,
    .condition = "A writable filesystem has used at least 90 % of its inodes (critical at 97 %).",
    .kb_article =
        "The filesystem can hold only a few more files even if free space remains: creating "
        "files fails with \"No space left on device\". Usually millions of tiny files: session "
        "files, mail queues, caches, build trees. L1: clear temp files and the package cache. "
        "L2: find the directory with the most entries (du --inodes -x --max-depth=3 / | sort -n) "
        "and remove or archive it; an ext4 inode count is fixed at mkfs time.",
    .evaluate = &evaluate,
};

}  // namespace triage::collector::rules
