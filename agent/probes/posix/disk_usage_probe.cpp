#include "agent/probes/disk_usage_probe.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <vector>

namespace triage::agent {

namespace fs = std::filesystem;

namespace {

/// Entries looked at between two looks at the clock.
constexpr std::size_t kClockEvery = 256;
/// Nesting the walk goes into at most (a deeper tree is counted as unreadable there).
constexpr std::uint32_t kMaxNesting = 256;

struct Totals {
  std::uint64_t bytes = 0;
  std::uint64_t files = 0;
};

struct Walk {
  ProbeBudget& budget;
  dev_t device = 0;
  std::uint32_t max_depth = 1;
  std::vector<v1::DirectoryUsage> dirs;
  std::uint32_t unreadable = 0;
  std::size_t seen = 0;
  bool stopped = false;

  bool out_of_time() {
    if (stopped) return true;
    if (++seen % kClockEvery == 0 && budget.expired()) {
      stopped = true;
      budget.cut("time budget ran out after " + std::to_string(seen) +
                 " entries; the sizes count what was walked until then");
    }
    return stopped;
  }

  Totals directory(const fs::path& dir, std::uint32_t depth) {
    Totals totals;
    std::error_code ec;
    fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
    if (ec || depth > kMaxNesting) {
      ++unreadable;
      return totals;
    }
    for (; it != fs::directory_iterator() && !out_of_time(); it.increment(ec)) {
      if (ec) {
        ++unreadable;
        break;
      }
      struct stat st {};
      if (::lstat(it->path().c_str(), &st) != 0) continue;
      // Allocated blocks, as du counts them (sparse files take less than their size).
      totals.bytes += static_cast<std::uint64_t>(st.st_blocks) * 512;
      if (S_ISDIR(st.st_mode)) {
        if (st.st_dev != device) continue;  // another filesystem mounted here
        const auto below = directory(it->path(), depth + 1);
        totals.bytes += below.bytes;
        totals.files += below.files;
      } else {
        ++totals.files;
      }
    }
    if (depth >= 1 && depth <= max_depth) {
      v1::DirectoryUsage usage;
      usage.set_path(dir.string().substr(0, 1024));
      usage.set_bytes(totals.bytes);
      usage.set_files(totals.files);
      dirs.push_back(std::move(usage));
    }
    return totals;
  }
};

}  // namespace

void run_disk_usage_probe(const v1::ProbePayload& request, ProbeBudget& budget,
                          const ProbeEnvironment&, v1::ProbeResult& result) {
  const auto& p = request.disk_usage();
  auto* out = result.mutable_disk_usage();
  out->set_path(p.path());
  struct stat root {};
  if (::lstat(p.path().c_str(), &root) != 0 || !S_ISDIR(root.st_mode)) {
    result.set_reason(p.path() + " is not a directory this endpoint can read");
    return;
  }
  Walk walk{budget, root.st_dev, p.max_depth(), {}, 0, 0, false};
  const auto totals = walk.directory(p.path(), 0);
  out->set_total_bytes(totals.bytes);
  out->set_files(totals.files);
  out->set_unreadable(walk.unreadable);
  std::sort(walk.dirs.begin(), walk.dirs.end(),
            [](const auto& a, const auto& b) { return a.bytes() > b.bytes(); });
  for (auto& d : walk.dirs) {
    if (out->largest_size() >= static_cast<int>(p.top())) break;
    if (out->ByteSizeLong() + d.ByteSizeLong() + 8 > budget.output_bytes()) {
      budget.cut("output budget reached after " + std::to_string(out->largest_size()) +
                 " directories");
      break;
    }
    *out->add_largest() = std::move(d);
  }
}

}  // namespace triage::agent
