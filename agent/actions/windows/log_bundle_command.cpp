// `triage-agent.exe log-bundle --hours N`: the collect-windows-log-bundle action. The System,
// Application and Setup event logs (and Windows Update's Operational log when the machine has
// it) of the last N hours, exported with EvtExportLog into a folder only SYSTEM and
// Administrators can read, packed with the agent's status and a manifest into a tar.gz of at
// most --max-bytes; the folder is removed before the command returns, whatever happened.
// Privilege: the service's account (SYSTEM) reads every one of these logs. Cost: the Event Log
// service writes each export (seconds for a full 20 MiB log); compression is bounded below.
#include "agent/actions/windows/event_log_bundle.hpp"

#include "shared/util/windows/windows_api.hpp"

#include <algorithm>
#include <chrono>

#include <nlohmann/json.hpp>

#include "agent/actions/log_bundle_archive.hpp"
#include "shared/util/time_format.hpp"
#include "shared/util/windows/wide_string.hpp"

namespace triage::agent {

namespace {

// What is compressed in one attempt: evtx compresses several times over, but not forty times,
// so larger exports are narrowed before any compression is tried (bounds time and memory).
constexpr std::uint64_t kRawFile = 32ULL * 1024 * 1024;
constexpr std::uint64_t kRawTotal = 64ULL * 1024 * 1024;
/// Each log narrows at most log2(168) + 1 times; this bounds the whole loop.
constexpr int kMaxAttempts = 64;

/// One channel's export as it stands.
struct Log {
  const EventLogChannel* channel = nullptr;
  std::filesystem::path file;
  unsigned hours = 0;  ///< the window the file holds
  std::uint64_t bytes = 0;
  bool included = false;
  std::string error;  ///< why it is not in the archive
};

std::string registry_text(const wchar_t* name) {
  wchar_t value[256] = {};
  DWORD size = sizeof value;
  if (::RegGetValueW(HKEY_LOCAL_MACHINE, L"SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion", name,
                     RRF_RT_REG_SZ, nullptr, value, &size) != ERROR_SUCCESS) {
    return "";
  }
  return narrow(value);
}

std::string agent_status(const LogBundleOptions& options) {
  wchar_t host[256] = {};
  DWORD host_size = 256;
  nlohmann::json status = {{"agent_version", TRIAGE_VERSION}, {"hours", options.hours}};
  status["hostname"] =
      ::GetComputerNameExW(ComputerNameDnsFullyQualified, host, &host_size) ? narrow(host) : "";
  status["windows"] = registry_text(L"ProductName") + " " + registry_text(L"DisplayVersion") +
                      " build " + registry_text(L"CurrentBuild");
  status["uptime_s"] = ::GetTickCount64() / 1000;
  if (!options.state_dir.empty()) {
    auto dir = widen(options.state_dir);
    if (dir) status["state_files"] = state_file_sizes(std::filesystem::path(*dir));
  }
  return status.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string manifest(const std::vector<Log>& logs, const LogBundleOptions& options) {
  nlohmann::json entries = nlohmann::json::array();
  for (const auto& log : logs) {
    nlohmann::json e = {{"name", log.channel->file_name},
                        {"channel", narrow(log.channel->path)},
                        {"included", log.included}};
    if (log.included) {
      e["bytes"] = log.bytes;
      e["hours"] = log.hours;
      if (log.hours < options.hours) {
        e["note"] = "only the last " + std::to_string(log.hours) + " of " +
                    std::to_string(options.hours) +
                    " hours fit in the cap: older events were left out";
      }
    } else {
      e["error"] = log.error;
    }
    entries.push_back(std::move(e));
  }
  nlohmann::json m = {
      {"generated_at", format_rfc3339(std::chrono::system_clock::now())},
      {"hours", options.hours},
      {"max_bytes", options.max_bytes},
      {"fitting",
       "an .evtx cut short is unreadable, so none is cut: while the archive is too large, the "
       "largest log is exported again over half its window (older events dropped), down to one "
       "hour, then left out"},
      {"entries", std::move(entries)}};
  return m.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

/// The included log with the most bytes (the later channel on a tie), or nullptr.
Log* largest(std::vector<Log>& logs) {
  Log* pick = nullptr;
  for (auto& log : logs) {
    if (log.included && (pick == nullptr || log.bytes >= pick->bytes)) pick = &log;
  }
  return pick;
}

/// Exports `log` over `hours`, replacing its file.
void export_into(Log& log, unsigned hours, const EventLogBundleSetup& setup) {
  std::error_code ec;
  std::filesystem::remove(log.file, ec);
  auto result = setup.exporter(*log.channel, hours, log.file);
  log.hours = hours;
  log.bytes = result.bytes;
  log.included = result.error.empty();
  if (result.absent && log.channel->optional) {
    log.error = "absent on this machine (" + result.error + ")";
  } else if (!result.error.empty()) {
    log.error = "not exported: " + result.error;
  }
}

/// Makes `log` smaller: half its window, or out of the archive once it is down to one hour.
void narrow(Log& log, const EventLogBundleSetup& setup, std::size_t cap) {
  if (log.hours > 1) {
    export_into(log, log.hours / 2, setup);
    return;
  }
  std::error_code ec;
  std::filesystem::remove(log.file, ec);
  log.included = false;
  log.error =
      "left out: even its last hour does not fit in the " + std::to_string(cap) + "-byte cap";
}

}  // namespace

Result<std::string> build_event_log_bundle(const LogBundleOptions& options,
                                           const EventLogBundleSetup& setup) {
  if (options.hours < 1 || options.hours > 168) return fail("--hours must be from 1 to 168");
  if (options.max_bytes < 4096 || options.max_bytes > kLogBundleMaxBytes) {
    return fail("--max-bytes must be from 4096 to " + std::to_string(kLogBundleMaxBytes));
  }
  auto folder = PrivateWorkFolder::create(setup.work_parent);
  if (!folder) return tl::unexpected(folder.error());
  std::vector<Log> logs;
  for (const auto& channel : setup.channels) {
    Log log;
    log.channel = &channel;
    log.file = folder->path() / channel.file_name;
    export_into(log, options.hours, setup);
    logs.push_back(std::move(log));
  }
  const auto status = agent_status(options);
  const auto mtime = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    // Too much to be worth compressing: narrow first.
    std::uint64_t total = 0;
    for (const auto& log : logs) total += log.included ? log.bytes : 0;
    if (Log* big = largest(logs); big && (big->bytes > kRawFile || total > kRawTotal)) {
      narrow(*big, setup, options.max_bytes);
      continue;
    }
    const auto list = manifest(logs, options);
    std::vector<BundleFile> files;
    for (const auto& log : logs) {
      if (log.included) files.push_back(BundleFile{log.channel->file_name, {}, log.file});
    }
    files.push_back(BundleFile{"agent-status.json", status, {}});
    files.push_back(BundleFile{"manifest.json", list, {}});
    auto archive = write_capped_tar_gz(files, mtime, options.max_bytes);
    if (!archive) return tl::unexpected(archive.error());
    if (*archive) return std::move(**archive);
    Log* big = largest(logs);
    if (big == nullptr) break;
    narrow(*big, setup, options.max_bytes);
  }
  return fail("the log bundle does not fit in " + std::to_string(options.max_bytes) + " bytes");
}

Result<std::string> build_log_bundle(const LogBundleOptions& options) {
  EventLogBundleSetup setup;
  setup.exporter = [](const EventLogChannel& channel, unsigned hours,
                      const std::filesystem::path& target) {
    return export_event_log(channel.path, hours, target);
  };
  setup.work_parent = default_work_parent();
  setup.channels = log_bundle_channels();
  return build_event_log_bundle(options, setup);
}

}  // namespace triage::agent
