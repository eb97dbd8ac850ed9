// eventlog.source_errors: a Windows event source logging errors about the disks, or many errors
// of any kind, in the agent's window (24 h of the System and Application logs).
#include <array>
#include <string>
#include <string_view>

#include "collector/findings/evidence_format.hpp"
#include "collector/findings/rules/rules.hpp"

namespace triage::collector::rules {
namespace {

/// Errors per source in the window that are more than the background noise of a healthy PC.
constexpr std::uint32_t kManyErrors = 50;

/// Providers whose every error is about a disk or a file system: a bad block, a controller
/// reset, a corrupt NTFS structure. One is worth a look; an NTFS one is damage already done.
// As Windows names them; compared without regard to case.
constexpr std::array<std::string_view, 12> kStorageProviders = {
    "Disk",    "Ntfs",     "Microsoft-Windows-Ntfs",
    "volmgr",  "stornvme", "storahci",
    "iaStorA", "iaStorAC", "iaStorAV",
    "atapi",   "partmgr",  "volsnap"};

std::string lowered(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_storage_provider(std::string_view source) {
  const auto name = lowered(source);
  for (auto provider : kStorageProviders) {
    if (name == lowered(provider)) return true;
  }
  return false;
}

bool is_file_system_provider(std::string_view source) {
  const auto name = lowered(source);
  return name == lowered("Ntfs") || name == lowered("Microsoft-Windows-Ntfs");
}

/// DCOM's 10016 (a component asking for a permission it was never given) is logged by design on
/// every Windows; Microsoft documents it as safe to ignore.
bool is_documented_noise(const v1::EventSourceErrors& source) {
  return lowered(source.source()) == lowered("Microsoft-Windows-DistributedCOM") &&
         source.last_event_id() == 10016;
}

std::string describe(const v1::EventSourceErrors& source, const v1::EventLogErrors& log,
                     std::int64_t as_of_ms) {
  std::string evidence = source.log() + " log, " + source.source() + ": " +
                         std::to_string(source.count()) + " error" +
                         (source.count() == 1 ? "" : "s") + " in the last " +
                         std::to_string(log.window_hours()) + " h";
  if (source.last_unix_ms() > 0) {
    evidence +=
        "; newest " + format_duration_ms(as_of_ms - source.last_unix_ms()) + " before the snapshot";
  }
  if (source.last_event_id() != 0) evidence += ", event " + std::to_string(source.last_event_id());
  if (!source.last_message().empty()) evidence += ": " + source.last_message();
  if (log.truncated()) evidence += "; more events than the agent reads: counts are lower bounds";
  return evidence;
}

void evaluate(const Rule& rule, const RuleContext& context, std::vector<Finding>& out) {
  const auto& log = context.snapshot.health().event_log();
  if (!log.available()) return;
  for (const auto& source : log.sources()) {
    if (source.count() == 0 || source.source().empty()) continue;
    const std::string subject = source.log() + "/" + source.source();
    if (is_storage_provider(source.source())) {
      const bool damage = is_file_system_provider(source.source());
      out.push_back(make_finding(rule, damage ? Severity::kCritical : Severity::kWarning, subject,
                                 damage ? "File system errors logged by " + source.source()
                                        : "Disk errors logged by " + source.source(),
                                 describe(source, log, context.as_of_unix_ms),
                                 {"collect-windows-log-bundle"}));
      continue;
    }
    if (source.count() < kManyErrors || is_documented_noise(source)) continue;
    out.push_back(
        make_finding(rule, Severity::kWarning, subject, "Many errors logged by " + source.source(),
                     describe(source, log, context.as_of_unix_ms), {"collect-windows-log-bundle"}));
  }
}

}  // namespace

const Rule kEventLogErrors{
    .id = "eventlog.source_errors",
    .default_severity = Severity::kWarning,
    .condition =
        "Windows: a disk or file system driver (Disk, Ntfs, volmgr, storage controllers) logged "
        "an error in the System log (critical for NTFS), or any other source logged at least 50 "
        "errors, in the agent's window (24 h); DCOM's documented event 10016 is not counted.",
    .kb_article =
        "Errors from Disk, the storage controllers or volmgr mean reads or writes failed: a "
        "failing drive, cable or controller; NTFS errors mean file system structures are already "
        "damaged. L1: make sure the user's data is backed up, collect the logs. L2: check the "
        "disk's SMART state and run chkdsk on the next restart; replace a drive that keeps "
        "logging errors. Many errors from one other source are usually a service or program "
        "retrying in a loop: read that source's newest events in Event Viewer and fix the cause "
        "(a driver update, a missing dependency, an expired credential).",
    .evaluate = &evaluate,
};

}  // namespace triage::collector::rules
