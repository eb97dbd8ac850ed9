// Sources: the "memory_status" answer (GlobalMemoryStatusEx and GetPerformanceInfo, see
// win_api_names.hpp) and root\cimv2 Win32_PageFileUsage (AllocatedBaseSize and CurrentUsage,
// in MiB, one row per page file).
//
// Windows counts memory differently from Linux: "available" is the standby list (cache that
// can be dropped) plus free and zeroed pages, and "commit" is memory promised to processes,
// backed by RAM plus the page files. A machine can run out of commit while RAM looks fine, so
// both are reported.
#include "agent/collectors/windows_sources/windows_memory.hpp"

#include <algorithm>

#include "agent/collectors/windows_sources/win_api_names.hpp"
#include "agent/collectors/windows_sources/win_values.hpp"

namespace triage::agent {
namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;
// Page files per machine are few (one per volume at most); a longer answer is not a machine.
constexpr std::size_t kMaxPageFiles = 26;

float percent_of(std::uint64_t part, std::uint64_t whole) {
  return static_cast<float>(100.0 * static_cast<double>(std::min(part, whole)) /
                            static_cast<double>(whole));
}

/// A count of pages as bytes; nullopt when either is missing or the product overflows.
std::optional<std::uint64_t> pages_to_bytes(std::optional<std::uint64_t> pages,
                                            std::uint64_t page_size) {
  if (!pages || page_size == 0 || *pages > UINT64_MAX / page_size) return std::nullopt;
  return *pages * page_size;
}

struct PageFiles {
  std::uint64_t total_bytes = 0;
  std::uint64_t used_bytes = 0;
};

std::optional<PageFiles> read_page_files(WinHost& win, CollectContext& ctx) {
  auto rows =
      win.wmi("root\\cimv2", "Win32_PageFileUsage", {"Name", "AllocatedBaseSize", "CurrentUsage"});
  if (!rows) {
    ctx.note("page files: " + rows.error().message);
    return std::nullopt;
  }
  PageFiles files;
  std::size_t seen = 0;
  for (const auto& row : *rows) {
    if (++seen > kMaxPageFiles) break;
    auto allocated = json_uint(row, "AllocatedBaseSize");
    auto used = json_uint(row, "CurrentUsage");
    if (!allocated || *allocated > UINT64_MAX / kMiB / kMaxPageFiles) continue;
    files.total_bytes += *allocated * kMiB;
    files.used_bytes += std::min(used.value_or(0), *allocated) * kMiB;
  }
  return files;
}

}  // namespace

Result<void> collect_windows_memory(CollectContext& ctx, v1::Snapshot& out) {
  WinHost* win = windows_host(ctx);
  if (!win) return {};
  auto status = win->api(win_api::kMemoryStatus);
  if (!status) return fail("reading the memory status", status.error());
  const nlohmann::json empty = nlohmann::json::object();
  const auto& ex = status->is_object() && status->contains("memory_status_ex")
                       ? (*status)["memory_status_ex"]
                       : empty;
  const auto& perf = status->is_object() && status->contains("performance_information")
                         ? (*status)["performance_information"]
                         : empty;

  const std::uint64_t page_size = json_uint(perf, "PageSize").value_or(0);
  auto total = json_uint(ex, "ullTotalPhys");
  if (!total) total = pages_to_bytes(json_uint(perf, "PhysicalTotal"), page_size);
  auto available = json_uint(ex, "ullAvailPhys");
  if (!available) available = pages_to_bytes(json_uint(perf, "PhysicalAvailable"), page_size);
  if (!total || *total == 0) return fail("the memory status has no physical memory total");

  v1::Memory m;
  m.set_total_bytes(*total);
  m.set_available_bytes(std::min(available.value_or(0), *total));
  // The system cache is mostly the standby list, which Windows counts as available: what is
  // left of "available" is free and zeroed pages (Task Manager's "Free"), as near as these
  // counters tell.
  if (auto cache = pages_to_bytes(json_uint(perf, "SystemCache"), page_size)) {
    m.set_cached_bytes(*cache);
    m.set_free_bytes(m.available_bytes() - std::min(*cache, m.available_bytes()));
  } else {
    m.set_free_bytes(m.available_bytes());
  }
  m.set_used_percent(percent_of(m.total_bytes() - m.available_bytes(), m.total_bytes()));

  auto page_files = read_page_files(*win, ctx);
  if (page_files && page_files->total_bytes > 0) {
    m.set_swap_total_bytes(page_files->total_bytes);
    m.set_swap_free_bytes(page_files->total_bytes - page_files->used_bytes);
    m.set_swap_used_percent(percent_of(page_files->used_bytes, page_files->total_bytes));
  }
  *out.mutable_hardware()->mutable_memory() = std::move(m);

  auto commit_total = pages_to_bytes(json_uint(perf, "CommitTotal"), page_size);
  auto commit_limit = pages_to_bytes(json_uint(perf, "CommitLimit"), page_size);
  if (!commit_total || !commit_limit) {
    // GetPerformanceInfo failed: GlobalMemoryStatusEx's "page file" figures are the commit
    // limit and what is left of it.
    commit_limit = json_uint(ex, "ullTotalPageFile");
    auto left = json_uint(ex, "ullAvailPageFile");
    if (commit_limit && left) commit_total = *commit_limit - std::min(*left, *commit_limit);
  }
  if (commit_total && commit_limit && *commit_limit > 0) {
    auto* commit = out.mutable_health()->mutable_commit();
    commit->set_total_bytes(*commit_total);
    commit->set_limit_bytes(*commit_limit);
    // Wine answers a peak of 0: never below what is committed now.
    commit->set_peak_bytes(std::max(
        pages_to_bytes(json_uint(perf, "CommitPeak"), page_size).value_or(0), *commit_total));
    commit->set_used_percent(percent_of(*commit_total, *commit_limit));
    if (page_files) {
      commit->set_page_file_total_bytes(page_files->total_bytes);
      commit->set_page_file_used_bytes(page_files->used_bytes);
    }
  } else {
    ctx.note("commit charge not reported");
  }
  return {};
}

}  // namespace triage::agent
