#include "agent/actions/log_bundle_command.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "agent/actions/log_bundle_archive.hpp"
#include "agent/collectors/redact.hpp"
#include "shared/util/process_runner.hpp"
#include "shared/util/time_format.hpp"

namespace triage::agent {

namespace {

/// One file of the archive and where its bytes came from.
struct Item {
  std::string name;
  std::string content;
  std::string source;
  std::string error;  ///< why it is empty or partial ("" = complete)
  bool cut = false;   ///< its beginning was left out to fit
  std::size_t redacted_lines = 0;
};

/// Logs record command lines and URLs (sudo's COMMAND=, a failed curl, a proxy URL with its
/// password): the same redaction as the inventory's command lines, before the bytes leave.
Item redacted(Item item) {
  item.redacted_lines = redact_log(item.content);
  return item;
}

// Raw bytes gathered before compression (logs shrink several times), bounded so the process
// stays far below the agent's memory ceiling (it runs in the agent's cgroup).
constexpr std::size_t kRawTotal = 24 * 1024 * 1024;
constexpr std::size_t kRawJournal = 12 * 1024 * 1024;
constexpr std::size_t kRawDmesg = 2 * 1024 * 1024;
constexpr std::size_t kRawFile = 4 * 1024 * 1024;
/// Newest journal entries kept; bounds journalctl's work as well as its output.
constexpr int kJournalLines = 50'000;

/// The last `max` bytes of a regular file under the root (symbolic links are not followed).
Item read_tail(const FsRoot& root, const std::string& path, std::size_t max) {
  Item item{"var/log/" + path.substr(std::string("/var/log/").size()), "", path, "", false};
  const auto host = root.resolve(path);
  const int fd = ::open(host.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    item.error = errno == ENOENT  ? "absent"
                 : errno == ELOOP ? "a symbolic link: not followed"
                                  : std::string("unreadable: ") + std::strerror(errno);
    return item;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    item.error = "not a regular file";
    return item;
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  const std::size_t take = std::min(size, max);
  item.cut = take < size;
  item.content.resize(take);
  std::size_t got = 0;
  while (got < take) {
    const auto n =
        ::pread(fd, item.content.data() + got, take - got, static_cast<off_t>(size - take + got));
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  item.content.resize(got);
  ::close(fd);
  return item;
}

/// A command's stdout (capped), or why there is none.
Item run_capture(const std::string& name, std::vector<std::string> argv, std::size_t max) {
  Item item{name, "", "", "", false};
  for (const auto& a : argv) item.source += (item.source.empty() ? "" : " ") + a;
  RunRequest request;
  request.argv = std::move(argv);
  request.timeout = std::chrono::seconds(60);
  request.output_cap = max;
  auto run = run_process(request);
  if (!run) {
    item.error = run.error().message;
    return item;
  }
  item.content = std::move(run->stdout_text);
  item.cut = run->stdout_truncated;
  if (!run->succeeded()) item.error = run->describe() + ": " + run->stderr_text.substr(0, 300);
  return item;
}

Item agent_status(const FsRoot& root, const LogBundleOptions& options) {
  nlohmann::json status = {{"agent_version", TRIAGE_VERSION}, {"hours", options.hours}};
  for (const auto& [key, path] :
       {std::pair{"hostname", "/proc/sys/kernel/hostname"},
        std::pair{"kernel", "/proc/sys/kernel/osrelease"}, std::pair{"uptime", "/proc/uptime"}}) {
    status[key] = root.read_attr(path).value_or("");
  }
  if (!options.state_dir.empty()) status["state_files"] = state_file_sizes(options.state_dir);
  return Item{"agent-status.json", status.dump(2) + "\n", "triage-agent", "", false};
}

/// Cuts items from their beginning so that together they hold at most `budget` bytes; small
/// items are kept whole and the room they leave goes to the larger ones.
void fit(std::vector<Item>& items, std::size_t budget) {
  std::vector<std::size_t> order(items.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](auto a, auto b) { return items[a].content.size() < items[b].content.size(); });
  std::size_t left = budget;
  for (std::size_t k = 0; k < order.size(); ++k) {
    auto& item = items[order[k]];
    const std::size_t share = left / (order.size() - k);
    if (item.content.size() > share) {
      item.content.erase(0, item.content.size() - share);
      item.cut = true;
    }
    left -= item.content.size();
  }
}

/// The archive of `items`, or nullopt when it would exceed `limit` bytes.
Result<std::optional<std::string>> write_tar_gz(const std::vector<Item>& items, std::time_t mtime,
                                                std::size_t limit) {
  std::vector<BundleFile> files;
  files.reserve(items.size());
  for (const auto& item : items) files.push_back(BundleFile{item.name, item.content, {}});
  return write_capped_tar_gz(files, mtime, limit);
}

Item manifest(const std::vector<Item>& items, const LogBundleOptions& options) {
  nlohmann::json entries = nlohmann::json::array();
  for (const auto& item : items) {
    nlohmann::json e = {{"name", item.name},
                        {"source", item.source},
                        {"bytes", item.content.size()},
                        {"cut_at_start", item.cut}};
    if (!item.error.empty()) e["error"] = item.error;
    if (item.redacted_lines) e["redacted_lines"] = item.redacted_lines;
    entries.push_back(std::move(e));
  }
  nlohmann::json m = {{"generated_at", format_rfc3339(std::chrono::system_clock::now())},
                      {"hours", options.hours},
                      {"max_bytes", options.max_bytes},
                      {"entries", std::move(entries)}};
  return Item{"manifest.json",
              m.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n", "", "",
              false};
}

}  // namespace

const std::vector<std::string>& log_bundle_files() {
  static const std::vector<std::string> files = {
      "/var/log/syslog",         "/var/log/messages",        "/var/log/kern.log",
      "/var/log/dpkg.log",       "/var/log/apt/history.log", "/var/log/Xorg.0.log",
      "/var/log/cups/error_log", "/var/log/boot.log",        "/var/log/triage-agent.log"};
  return files;
}

Result<std::string> build_log_bundle(const LogBundleOptions& options) {
  if (options.hours < 1 || options.hours > 168) return fail("--hours must be from 1 to 168");
  if (options.max_bytes < 4096 || options.max_bytes > kLogBundleMaxBytes) {
    return fail("--max-bytes must be from 4096 to " + std::to_string(kLogBundleMaxBytes));
  }
  const FsRoot root(options.sysroot);
  std::vector<Item> items;
  std::size_t gathered = 0;
  auto room = [&](std::size_t cap) { return std::min(cap, kRawTotal - gathered); };
  if (root.is_live()) {
    items.push_back(redacted(run_capture(
        "journal.txt",
        {"journalctl", "--no-pager", "--utc", "--output", "short-iso", "--since",
         "-" + std::to_string(options.hours) + "h", "--lines", std::to_string(kJournalLines)},
        room(kRawJournal))));
    gathered += items.back().content.size();
    items.push_back(
        redacted(run_capture("dmesg.txt", {"dmesg", "--time-format", "iso"}, room(kRawDmesg))));
    gathered += items.back().content.size();
  }
  for (const auto& path : log_bundle_files()) {
    auto item = redacted(read_tail(root, path, room(kRawFile)));
    if (item.error == "absent") continue;  // most machines have only a few of them
    gathered += item.content.size();
    items.push_back(std::move(item));
  }
  items.push_back(agent_status(root, options));
  gathered += items.back().content.size();
  const auto mtime = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  // The compressed size is known only once written: halve the raw budget until it fits.
  for (std::size_t budget = std::max<std::size_t>(gathered, 1024); budget >= 1024; budget /= 2) {
    fit(items, budget);
    items.push_back(manifest(items, options));
    auto archive = write_tar_gz(items, mtime, options.max_bytes);
    items.pop_back();
    if (!archive) return tl::unexpected(archive.error());
    if (*archive) return std::move(**archive);
  }
  return fail("the log bundle does not fit in " + std::to_string(options.max_bytes) + " bytes");
}

}  // namespace triage::agent
