// The Linux live sampler: /proc and /sys counters (agent/live/linux/proc_counters.hpp), and
// the journal's new error lines. Its cost is bounded by the machine's process count (one small
// read of /proc/PID/stat each), about a millisecond per hundred processes.

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>

#include "agent/live/busiest_processes.hpp"
#include "agent/live/linux/journal_error_follower.hpp"
#include "agent/live/linux/proc_counters.hpp"
#include "agent/live/live_sampler.hpp"
#include "shared/util/fs_root.hpp"

namespace triage::agent {

namespace {

using Clock = std::chrono::steady_clock;

std::chrono::microseconds own_cpu_time() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return std::chrono::seconds(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         std::chrono::microseconds(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

class ProcLiveSampler final : public LiveSampler {
 public:
  explicit ProcLiveSampler(const std::string& sysroot)
      : fs_(sysroot.empty() ? "/" : sysroot),
        errors_(sysroot),
        ticks_per_second_(std::max(1L, ::sysconf(_SC_CLK_TCK))),
        page_bytes_(std::max(1L, ::sysconf(_SC_PAGESIZE))) {
    disks_ = physical_disks();
    v1::LiveSample baseline;
    sample(baseline);
  }

  void sample(v1::LiveSample& out) override {
    const auto now = Clock::now();
    const double seconds =
        first_ ? 0.0 : std::chrono::duration<double>(now - previous_time_).count();
    const auto own = own_cpu_time();

    if (auto stat = fs_.read("/proc/stat", 1 << 20)) {
      if (auto ticks = live::parse_cpu_ticks(*stat)) {
        if (!first_ && ticks->total > cpu_.total) {
          out.set_cpu_percent(
              static_cast<float>(100.0 * (ticks->busy - cpu_.busy) / (ticks->total - cpu_.total)));
        }
        cpu_ = *ticks;
      }
    }
    if (auto meminfo = fs_.read("/proc/meminfo", 1 << 16)) {
      const auto memory = live::parse_meminfo(*meminfo);
      out.set_memory_total_bytes(memory.total_bytes);
      out.set_memory_available_bytes(memory.available_bytes);
      out.set_swap_used_bytes(memory.swap_used_bytes);
    }
    if (auto diskstats = fs_.read("/proc/diskstats", 1 << 20)) {
      const auto disk = live::sum_disk_bytes(*diskstats, disks_);
      if (!first_) {
        out.set_disk_read_bytes_per_s(live::per_second(disk_.read, disk.read, seconds));
        out.set_disk_write_bytes_per_s(live::per_second(disk_.write, disk.write, seconds));
      }
      disk_ = disk;
    }
    if (auto net_dev = fs_.read("/proc/net/dev", 1 << 20)) {
      const auto net = live::sum_interface_bytes(*net_dev);
      if (!first_) {
        out.set_net_rx_bytes_per_s(live::per_second(net_.read, net.read, seconds));
        out.set_net_tx_bytes_per_s(live::per_second(net_.write, net.write, seconds));
      }
      net_ = net;
    }
    top_processes(out, seconds);
    if (!first_) {
      out.set_errors_left_out(errors_.read_new(*out.mutable_new_errors(), kLiveErrorLines));
      out.set_agent_cpu_percent(static_cast<float>(
          100.0 * std::chrono::duration<double>(own - own_cpu_).count() / seconds));
    }
    own_cpu_ = own;
    previous_time_ = now;
    first_ = false;
  }

 private:
  /// Whole disks backed by a device (sda, nvme0n1, vda; not loop, dm-N, md or partitions).
  std::set<std::string> physical_disks() const {
    std::set<std::string> out;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(fs_.resolve("/sys/block"), ec)) {
      std::error_code link_ec;
      if (std::filesystem::exists(entry.path() / "device", link_ec)) {
        out.insert(entry.path().filename().string());
      }
    }
    return out;
  }

  void top_processes(v1::LiveSample& out, double seconds) {
    std::vector<live::ProcessUse> busy;
    std::map<std::uint32_t, std::uint64_t> ticks;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(fs_.resolve("/proc"), ec)) {
      const auto name = entry.path().filename().string();
      if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
      std::uint32_t pid = 0;
      if (std::from_chars(name.data(), name.data() + name.size(), pid).ec != std::errc()) continue;
      auto stat = fs_.read_prefix("/proc/" + name + "/stat", 1024);
      if (!stat) continue;  // it ended meanwhile
      auto process = live::parse_process_stat(*stat);
      if (!process) continue;
      ticks[pid] = process->cpu_ticks;
      if (first_) continue;
      const auto before = process_ticks_.find(pid);
      // A process born during the interval counts from zero.
      const auto from = before == process_ticks_.end() ? 0 : before->second;
      const auto used = process->cpu_ticks > from ? process->cpu_ticks - from : 0;
      busy.push_back({pid, std::move(process->name),
                      seconds > 0 ? 100.0 * static_cast<double>(used) /
                                        static_cast<double>(ticks_per_second_) / seconds
                                  : 0.0,
                      process->rss_pages * static_cast<std::uint64_t>(page_bytes_)});
    }
    process_ticks_ = std::move(ticks);
    live::add_busiest(std::move(busy), out);
  }

  FsRoot fs_;
  live::JournalErrorFollower errors_;
  long ticks_per_second_;
  long page_bytes_;
  std::set<std::string> disks_;
  bool first_ = true;
  Clock::time_point previous_time_;
  std::chrono::microseconds own_cpu_{0};
  live::CpuTicks cpu_;
  live::ByteCounters disk_;
  live::ByteCounters net_;
  std::map<std::uint32_t, std::uint64_t> process_ticks_;
};

}  // namespace

Result<std::unique_ptr<LiveSampler>> make_live_sampler(const std::string& sysroot) {
  return std::make_unique<ProcLiveSampler>(sysroot);
}

}  // namespace triage::agent
