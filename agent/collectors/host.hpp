#pragma once
// Host: the machine state collectors need beyond files — filesystem usage (statvfs), the
// kernel clock discipline (adjtimex), interface addresses (netlink), the clock, environment
// and external programs. The live implementation asks the kernel; under --sysroot a fixture
// implementation answers from DIR/.triage-fixture/ (host.json and commands/), so a fixture
// tree describes a whole machine and nothing of the real one leaks into it.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "shared/util/fs_root.hpp"
#include "shared/util/process_runner.hpp"
#include "shared/util/result.hpp"

namespace triage::agent {

class WinHost;

/// statvfs() of one mounted filesystem.
struct FsUsage {
  std::uint64_t size_bytes = 0;
  std::uint64_t free_bytes = 0;   // free for root
  std::uint64_t avail_bytes = 0;  // free for unprivileged users
  std::uint64_t inodes_total = 0;
  std::uint64_t inodes_free = 0;
};

/// The kernel's view of clock synchronisation.
struct ClockState {
  bool synchronized = false;
  double offset_ms = 0;
  double max_error_ms = 0;
};

/// One address assigned to one interface.
struct InterfaceAddress {
  std::string interface;
  std::string address;
  std::uint32_t prefix_length = 0;
  bool ipv6 = false;
  std::string scope;  // "global", "link", "host"
};

/// Non-file machine state. Methods are called from the collecting thread only.
class Host {
 public:
  virtual ~Host() = default;

  /// True for the running machine; false for a --sysroot tree.
  virtual bool live() const = 0;
  /// Effective user is root (or, in a fixture, claims to be).
  virtual bool is_root() const = 0;
  virtual std::int64_t now_unix_ms() const = 0;
  virtual Result<FsUsage> fs_usage(std::string_view mount_point) const = 0;
  virtual Result<ClockState> clock_state() const = 0;
  virtual Result<std::vector<InterfaceAddress>> interface_addresses() const = 0;
  /// The agent's own environment variable (empty when unset).
  virtual std::string environment(std::string_view name) const = 0;
  /// Whether a program can be run ("smartctl").
  virtual bool has_program(std::string_view name) const = 0;
  /// Runs a program (live) or replays its recorded output (fixture).
  virtual Result<RunResult> run(const RunRequest& request) = 0;
  /// The Windows machine (registry, WMI, Event Log, Win32 answers) the Windows sources read;
  /// null on other platforms.
  virtual WinHost* windows() { return nullptr; }
};

using HostPtr = std::unique_ptr<Host>;

/// The live machine (for fs.is_live()) or the fixture description under fs.root().
HostPtr make_host(const FsRoot& fs);

/// Host reading kernel state through system calls and running real programs.
HostPtr make_live_host();

/// Host answering from `<root>/.triage-fixture/host.json` and `.../commands/<key>` files, where
/// key is the argv joined by spaces with "/" replaced by "_" (see fixture_command_key()).
/// Without those files every query fails with "not available under --sysroot".
HostPtr make_fixture_host(const FsRoot& fs);

/// File name under .triage-fixture/commands/ holding the recorded stdout of `argv`.
std::string fixture_command_key(const std::vector<std::string>& argv);

}  // namespace triage::agent
