// The Windows live sampler: CPU from GetSystemTimes, memory from GlobalMemoryStatusEx, disk
// bytes from each physical drive's performance counters (IOCTL_DISK_PERFORMANCE), network
// bytes from the IP Helper's interface table (GetIfTable2: hardware interfaces, no filter
// layers, so a packet counts once), and the busiest processes from a Toolhelp snapshot with
// each process's times and working set. New Event Log errors are not read in this version (the
// list stays empty). What cannot be read stays zero.
#include "shared/util/windows/windows_api.hpp"

#include <winsock2.h>
#include <ws2tcpip.h>
// After winsock2.h: iphlpapi.h (and netioapi.h with it) needs its types.
#include <iphlpapi.h>

#include <psapi.h>
#include <tlhelp32.h>
#include <winioctl.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "agent/live/busiest_processes.hpp"
#include "agent/live/live_sampler.hpp"
#include "shared/util/windows/unique_handle.hpp"
#include "shared/util/windows/wide_string.hpp"

namespace triage::agent {

namespace {

using Clock = std::chrono::steady_clock;

std::uint64_t ticks(const FILETIME& t) {
  return (static_cast<std::uint64_t>(t.dwHighDateTime) << 32) | t.dwLowDateTime;
}

struct Bytes {
  std::uint64_t read = 0;
  std::uint64_t write = 0;
};

/// Bytes read and written by every physical drive since boot (drives 0-15; one that cannot be
/// opened or has no counters adds nothing).
Bytes disk_bytes() {
  Bytes out;
  for (int i = 0; i < 16; ++i) {
    const auto name = L"\\\\.\\PhysicalDrive" + std::to_wstring(i);
    // No access asked: enough for the performance counters, and nothing else is possible.
    UniqueHandle drive(::CreateFileW(name.c_str(), 0, FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr,
                                     OPEN_EXISTING, 0, nullptr));
    if (!drive.valid()) continue;
    DISK_PERFORMANCE perf{};
    DWORD returned = 0;
    if (::DeviceIoControl(drive.get(), IOCTL_DISK_PERFORMANCE, nullptr, 0, &perf, sizeof perf,
                          &returned, nullptr)) {
      out.read += static_cast<std::uint64_t>(perf.BytesRead.QuadPart);
      out.write += static_cast<std::uint64_t>(perf.BytesWritten.QuadPart);
    }
  }
  return out;
}

/// Bytes received and sent on the hardware interfaces (every non-loopback one where none says
/// it is hardware).
Bytes interface_bytes() {
  Bytes hardware, other;
  MIB_IF_TABLE2* table = nullptr;
  if (::GetIfTable2(&table) != NO_ERROR || table == nullptr) return {};
  for (ULONG i = 0; i < table->NumEntries; ++i) {
    const auto& row = table->Table[i];
    if (row.Type == IF_TYPE_SOFTWARE_LOOPBACK || row.InterfaceAndOperStatusFlags.FilterInterface) {
      continue;
    }
    auto& sum = row.InterfaceAndOperStatusFlags.HardwareInterface ? hardware : other;
    sum.read += row.InOctets;
    sum.write += row.OutOctets;
  }
  ::FreeMibTable(table);
  return hardware.read + hardware.write > 0 ? hardware : other;
}

class WindowsLiveSampler final : public LiveSampler {
 public:
  WindowsLiveSampler() {
    v1::LiveSample baseline;
    sample(baseline);
  }

  void sample(v1::LiveSample& out) override {
    const auto now = Clock::now();
    const double seconds =
        first_ ? 0.0 : std::chrono::duration<double>(now - previous_time_).count();

    FILETIME idle{}, kernel{}, user{};
    if (::GetSystemTimes(&idle, &kernel, &user)) {
      // Kernel time includes the idle time.
      const auto total = ticks(kernel) + ticks(user);
      const auto busy = total - ticks(idle);
      if (!first_ && total > cpu_total_ && busy >= cpu_busy_) {
        out.set_cpu_percent(static_cast<float>(100.0 * static_cast<double>(busy - cpu_busy_) /
                                               static_cast<double>(total - cpu_total_)));
      }
      cpu_total_ = total;
      cpu_busy_ = busy;
    }
    MEMORYSTATUSEX memory{};
    memory.dwLength = sizeof memory;
    if (::GlobalMemoryStatusEx(&memory)) {
      out.set_memory_total_bytes(memory.ullTotalPhys);
      out.set_memory_available_bytes(memory.ullAvailPhys);
      // The commit charge beyond what sits in RAM is what the page file holds.
      const auto committed = memory.ullTotalPageFile - memory.ullAvailPageFile;
      const auto in_ram = memory.ullTotalPhys - memory.ullAvailPhys;
      out.set_swap_used_bytes(committed > in_ram ? committed - in_ram : 0);
    }
    const auto disk = disk_bytes();
    const auto net = interface_bytes();
    if (!first_) {
      out.set_disk_read_bytes_per_s(live::per_second(disk_.read, disk.read, seconds));
      out.set_disk_write_bytes_per_s(live::per_second(disk_.write, disk.write, seconds));
      out.set_net_rx_bytes_per_s(live::per_second(net_.read, net.read, seconds));
      out.set_net_tx_bytes_per_s(live::per_second(net_.write, net.write, seconds));
    }
    disk_ = disk;
    net_ = net;
    top_processes(out, seconds);
    FILETIME created{}, exited{}, own_kernel{}, own_user{};
    if (::GetProcessTimes(::GetCurrentProcess(), &created, &exited, &own_kernel, &own_user)) {
      const auto own = ticks(own_kernel) + ticks(own_user);
      if (!first_ && seconds > 0 && own >= own_cpu_) {
        out.set_agent_cpu_percent(
            static_cast<float>(100.0 * static_cast<double>(own - own_cpu_) / 1e7 / seconds));
      }
      own_cpu_ = own;
    }
    previous_time_ = now;
    first_ = false;
  }

 private:
  void top_processes(v1::LiveSample& out, double seconds) {
    std::vector<live::ProcessUse> busy;
    std::map<std::uint32_t, std::uint64_t> times;
    UniqueHandle snapshot(::CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0));
    if (!snapshot.valid()) return;
    PROCESSENTRY32W entry{};
    entry.dwSize = sizeof entry;
    for (BOOL more = ::Process32FirstW(snapshot.get(), &entry); more;
         more = ::Process32NextW(snapshot.get(), &entry)) {
      const auto pid = static_cast<std::uint32_t>(entry.th32ProcessID);
      if (pid == 0) continue;  // the idle process
      UniqueHandle process(::OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid));
      if (!process.valid()) continue;  // protected, or gone meanwhile
      FILETIME created{}, exited{}, kernel{}, user{};
      if (!::GetProcessTimes(process.get(), &created, &exited, &kernel, &user)) continue;
      const auto used_total = ticks(kernel) + ticks(user);
      times[pid] = used_total;
      PROCESS_MEMORY_COUNTERS memory{};
      memory.cb = sizeof memory;
      const std::uint64_t rss =
          ::GetProcessMemoryInfo(process.get(), &memory, sizeof memory) ? memory.WorkingSetSize : 0;
      if (first_) continue;
      const auto before = times_.find(pid);
      const auto from = before == times_.end() ? 0 : before->second;
      const auto used = used_total > from ? used_total - from : 0;
      busy.push_back({pid, narrow(entry.szExeFile),
                      seconds > 0 ? 100.0 * static_cast<double>(used) / 1e7 / seconds : 0.0, rss});
    }
    times_ = std::move(times);
    live::add_busiest(std::move(busy), out);
  }

  bool first_ = true;
  Clock::time_point previous_time_;
  std::uint64_t cpu_total_ = 0;
  std::uint64_t cpu_busy_ = 0;
  std::uint64_t own_cpu_ = 0;
  Bytes disk_;
  Bytes net_;
  std::map<std::uint32_t, std::uint64_t> times_;
};

}  // namespace

Result<std::unique_ptr<LiveSampler>> make_live_sampler(const std::string& sysroot) {
  if (!sysroot.empty() && sysroot != "/") {
    return fail(ErrorCode::kFailed, "the live view samples only this machine on Windows");
  }
  return std::make_unique<WindowsLiveSampler>();
}

}  // namespace triage::agent
