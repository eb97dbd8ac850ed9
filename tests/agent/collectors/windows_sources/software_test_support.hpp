#pragma once
// For the software sources' tests: a throwaway recorded machine in a temporary directory, to
// feed a source hostile answers the two fixture machines do not have.

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/agent/collectors/windows_sources/recorded_machine_support.hpp"

namespace triage::agent::testing {

/// A recorded machine at a unique temporary path, removed at the end of the test.
struct ScratchMachine {
  std::filesystem::path dir;
  ScratchMachine() {
    dir = std::filesystem::temp_directory_path() /
          ("triage-winsoft-" + std::to_string(::getpid()) + "-" +
           std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    std::filesystem::create_directories(dir);
    write("machine.json", R"({"now_unix_ms": 1796126400000, "is_admin": true})");
  }
  ~ScratchMachine() { std::filesystem::remove_all(dir); }
  ScratchMachine(const ScratchMachine&) = delete;
  ScratchMachine& operator=(const ScratchMachine&) = delete;

  void write(const std::string& relative, const std::string& text) const {
    auto path = dir / relative;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
  }

  /// Only source `name` of the Windows catalog against this machine.
  v1::Snapshot collect(std::string_view name) const {
    for (const auto& spec : windows_collector_catalog()) {
      if (spec.name != name) continue;
      return SnapshotTaker(SnapshotOptions{}, std::span<const CollectorSpec>(&spec, 1),
                           make_recorded_windows_machine(dir))
          .take();
    }
    throw std::invalid_argument("no source named " + std::string(name));
  }
};

}  // namespace triage::agent::testing
