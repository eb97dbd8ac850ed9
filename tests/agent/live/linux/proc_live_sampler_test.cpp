// The Linux live sampler on a machine of fixed files (a sysroot): the counters parsed from
// /proc text, and the rates, busiest processes and memory of a sample computed from two
// readings, as a technician reads them in the chart.

#include <catch2/catch.hpp>

#include <unistd.h>

#include <fstream>

#include "agent/live/linux/proc_counters.hpp"
#include "agent/live/live_sampler.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage;
using namespace triage::agent;

namespace {

void write(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

std::string stat_line(std::uint64_t busy_user, std::uint64_t idle) {
  return "cpu  " + std::to_string(busy_user) + " 0 0 " + std::to_string(idle) +
         " 0 0 0 0 0 0\ncpu0 1 2 3 4\nintr 5\n";
}

std::string process_stat(const std::string& pid, const std::string& name, std::uint64_t utime,
                         std::uint64_t rss_pages) {
  // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime
  // stime cutime cstime priority nice threads itrealvalue starttime vsize rss ...
  return pid + " (" + name + ") S 1 1 1 0 -1 0 0 0 0 0 " + std::to_string(utime) +
         " 0 0 0 20 0 1 0 100 1000 " + std::to_string(rss_pages) + " 0 0\n";
}

struct Machine {
  testing::TempDir root;

  void counters(std::uint64_t busy, std::uint64_t idle, std::uint64_t sectors_read,
                std::uint64_t rx, std::uint64_t browser_ticks) {
    write(root.path() / "proc/stat", stat_line(busy, idle));
    write(root.path() / "proc/meminfo",
          "MemTotal:       8000000 kB\nMemFree:  100 kB\nMemAvailable:   2000000 kB\n"
          "SwapTotal:      1000 kB\nSwapFree:       400 kB\n");
    write(root.path() / "proc/diskstats",
          "   8       0 sda 10 0 " + std::to_string(sectors_read) +
              " 5 20 0 2048 7 0 0 0\n"
              "   8       1 sda1 10 0 999999 5 20 0 999999 7 0 0 0\n"
              " 253       0 dm-0 10 0 999999 5 20 0 999999 7 0 0 0\n");
    write(root.path() / "proc/net/dev",
          "Inter-|   Receive                            |  Transmit\n"
          " face |bytes    packets errs drop fifo frame compressed multicast|bytes\n"
          "    lo: 999999 1 0 0 0 0 0 0 999999 1 0 0 0 0 0 0\n"
          "  eth0: " +
              std::to_string(rx) + " 1 0 0 0 0 0 0 500 1 0 0 0 0 0 0\n");
    write(root.path() / "proc/100/stat", process_stat("100", "firefox (web)", browser_ticks, 1000));
    write(root.path() / "proc/200/stat", process_stat("200", "sleepy", 5, 10));
  }

  Machine() {
    std::filesystem::create_directories(root.path() / "sys/block/sda/device");
    std::filesystem::create_directories(root.path() / "sys/block/dm-0");
    counters(1000, 9000, 0, 0, 0);
  }
};

}  // namespace

TEST_CASE("proc counters: CPU ticks leave out idle and iowait", "[live][proc]") {
  auto ticks = live::parse_cpu_ticks("cpu  100 20 30 400 50 6 7 8 9 10\ncpu0 1 1 1 1\n");
  REQUIRE(ticks);
  CHECK(ticks->busy == 100 + 20 + 30 + 6 + 7 + 8);
  CHECK(ticks->total == 100 + 20 + 30 + 400 + 50 + 6 + 7 + 8);
  CHECK_FALSE(live::parse_cpu_ticks("intr 1 2 3\n"));
}

TEST_CASE("proc counters: a process name with spaces and parentheses is read whole",
          "[live][proc]") {
  auto p = live::parse_process_stat(process_stat("42", "evil) R 1 (x", 77, 12));
  REQUIRE(p);
  CHECK(p->name == "evil) R 1 (x");
  CHECK(p->cpu_ticks == 77);
  CHECK(p->rss_pages == 12);
  CHECK_FALSE(live::parse_process_stat("42 no parentheses"));
  CHECK_FALSE(live::parse_process_stat("42 (short) S 1"));
}

TEST_CASE("proc counters: disks count whole physical disks, interfaces all but loopback",
          "[live][proc]") {
  const std::string diskstats =
      "   8       0 sda 1 0 10 0 1 0 20 0 0 0 0\n"
      "   8       1 sda1 1 0 10 0 1 0 20 0 0 0 0\n";
  auto disk = live::sum_disk_bytes(diskstats, {"sda"});
  CHECK(disk.read == 10 * 512);
  CHECK(disk.write == 20 * 512);
  auto net = live::sum_interface_bytes(
      "h1\nh2\n    lo: 5 0 0 0 0 0 0 0 5 0 0 0 0 0 0 0\n"
      "  wlan0: 100 0 0 0 0 0 0 0 40 0 0 0 0 0 0 0\n"
      "  eth0: 1 0 0 0 0 0 0 0 2 0 0 0 0 0 0 0\n");
  CHECK(net.read == 101);
  CHECK(net.write == 42);
  auto memory = live::parse_meminfo(
      "MemTotal: 10 kB\nMemAvailable: 4 kB\nSwapTotal: 8 kB\n"
      "SwapFree: 8 kB\n");
  CHECK(memory.total_bytes == 10240);
  CHECK(memory.available_bytes == 4096);
  CHECK(memory.swap_used_bytes == 0);
}

TEST_CASE("live sampler: a sample holds the rates between two readings and the busiest process",
          "[live][sampler]") {
  Machine machine;
  auto sampler = make_live_sampler(machine.root.path().string());
  REQUIRE(sampler);
  // A quarter of the CPU busy since the baseline; 2048 sectors (1 MiB) read from sda, the
  // partition and the mapper volume unchanged in sum; 10 MB received on eth0; the browser
  // used ticks, the other process none.
  machine.counters(1000 + 250, 9000 + 750, 2048, 10'000'000, 50);
  v1::LiveSample sample;
  (*sampler)->sample(sample);
  CHECK(sample.cpu_percent() == Approx(25.0));
  CHECK(sample.memory_total_bytes() == 8'000'000ull * 1024);
  CHECK(sample.memory_available_bytes() == 2'000'000ull * 1024);
  CHECK(sample.swap_used_bytes() == 600 * 1024);
  // Rates are per second over however long the test took between the readings.
  CHECK(sample.disk_read_bytes_per_s() > 0);
  CHECK(sample.net_rx_bytes_per_s() > 0);
  CHECK(sample.net_tx_bytes_per_s() == 0);
  REQUIRE(sample.top_processes_size() == 2);
  CHECK(sample.top_processes(0).pid() == 100);
  CHECK(sample.top_processes(0).name() == "firefox (web)");
  CHECK(sample.top_processes(0).cpu_percent() > 0);
  CHECK(sample.top_processes(0).rss_bytes() == 1000ull * static_cast<unsigned>(::getpagesize()));
  CHECK(sample.top_processes(1).pid() == 200);
  CHECK(sample.top_processes(1).cpu_percent() == 0);
}
