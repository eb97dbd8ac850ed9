#pragma once
// A recorded Windows machine to spoil: a copy of one of tests/fixtures/windows/ (or an empty
// one) in a temporary directory, whose files a test overwrites or removes to give a source a
// hostile answer, then runs that source against it.

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "tests/agent/collectors/windows_sources/recorded_machine_support.hpp"

namespace triage::agent::testing {

class ScratchMachine {
 public:
  /// A copy of recorded machine `machine`; "" for a machine with only machine.json.
  explicit ScratchMachine(const std::string& machine = "") {
    static std::atomic<int> counter{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("triage-scratch-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(dir_);
    if (machine.empty()) {
      std::filesystem::create_directories(dir_);
      write("machine.json", R"({"now_unix_ms": 1796126400000, "is_admin": true})");
    } else {
      std::filesystem::copy(recorded_machine_dir(machine), dir_,
                            std::filesystem::copy_options::recursive);
    }
  }
  ~ScratchMachine() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  ScratchMachine(const ScratchMachine&) = delete;
  ScratchMachine& operator=(const ScratchMachine&) = delete;

  /// Writes `text` to `relative` (api/boot.json, wmi/root_cimv2/X.json, registry/x.reg).
  void write(const std::string& relative, std::string_view text) const {
    auto path = dir_ / relative;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
  }
  void remove(const std::string& relative) const { std::filesystem::remove_all(dir_ / relative); }

  /// The machine as a Host, for a test of one helper over its WinHost.
  HostPtr host() const { return make_recorded_windows_machine(dir_); }

  /// Only source `name` of the Windows catalog against this machine.
  v1::Snapshot collect(std::string_view name) const {
    for (const auto& spec : windows_collector_catalog()) {
      if (spec.name != name) continue;
      return SnapshotTaker(SnapshotOptions{}, std::span<const CollectorSpec>(&spec, 1),
                           make_recorded_windows_machine(dir_))
          .take();
    }
    throw std::invalid_argument("no source named " + std::string(name));
  }

 private:
  std::filesystem::path dir_;
};

}  // namespace triage::agent::testing
