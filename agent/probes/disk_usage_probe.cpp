#include "agent/probes/disk_usage_probe.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <vector>

#include "agent/probes/directory_entry_facts.hpp"

namespace triage::agent {

namespace fs = std::filesystem;

namespace {

/// Entries looked at between two looks at the clock.
constexpr std::size_t kClockEvery = 256;
/// Nesting the walk goes into at most (a deeper tree is counted as unreadable there).
constexpr std::uint32_t kMaxNesting = 256;

/// Paths travel as UTF-8; on Windows std::filesystem's narrow strings are the ANSI code page.
fs::path from_utf8(const std::string& text) {
  return fs::path(std::u8string(text.begin(), text.end()));
}

std::string to_utf8(const fs::path& path) {
  const auto text = path.u8string();
  return std::string(text.begin(), text.end());
}

struct Totals {
  std::uint64_t bytes = 0;
  std::uint64_t files = 0;
};

struct Walk {
  ProbeBudget& budget;
  WalkVolume volume;
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
      const auto facts = entry_facts(it->path(), volume);
      if (!facts) continue;
      totals.bytes += facts->bytes;
      if (facts->directory) {
        if (!facts->enter) continue;  // another filesystem mounted here, or a junction
        const auto below = directory(it->path(), depth + 1);
        totals.bytes += below.bytes;
        totals.files += below.files;
      } else {
        ++totals.files;
      }
    }
    if (depth >= 1 && depth <= max_depth) {
      v1::DirectoryUsage usage;
      usage.set_path(to_utf8(dir).substr(0, 1024));
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
  const fs::path root = from_utf8(p.path());
  const auto volume = walk_volume(root);
  if (!volume) {
    result.set_reason(p.path() + " is not a directory this endpoint can read");
    return;
  }
  Walk walk{budget, *volume, p.max_depth(), {}, 0, 0, false};
  const auto totals = walk.directory(root, 0);
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
