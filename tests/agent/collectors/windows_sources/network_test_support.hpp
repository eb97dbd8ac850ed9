#pragma once
// For the network sources' tests: a scratch Windows machine written file by file (hostile
// answers, missing pieces), and one source of the Windows catalog run against it.

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "tests/agent/collectors/windows_sources/recorded_machine_support.hpp"
#include "tests/support/temp_dir.hpp"

namespace triage::agent::testing {

/// A repeated string field as a vector, for comparisons.
inline std::vector<std::string> strings(
    const google::protobuf::RepeatedPtrField<std::string>& field) {
  return {field.begin(), field.end()};
}

class ScratchMachine {
 public:
  ScratchMachine() { write("machine.json", R"({"now_unix_ms": 1796126400000, "is_admin": true})"); }

  /// Writes `text` to `relative` ("api/adapters.json", "registry/network.reg").
  ScratchMachine& write(const std::string& relative, const std::string& text) {
    auto path = dir_.path() / relative;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
    return *this;
  }

  /// Copies one file of a recorded machine ("win11-laptop", "api/adapters.json").
  ScratchMachine& copy(const std::string& machine, const std::string& relative) {
    auto to = dir_.path() / relative;
    std::filesystem::create_directories(to.parent_path());
    std::filesystem::copy_file(recorded_machine_dir(machine) + "/" + relative, to,
                               std::filesystem::copy_options::overwrite_existing);
    return *this;
  }

  /// Only source `name` of the Windows catalog against this machine.
  v1::Snapshot collect(std::string_view name) const {
    for (const auto& spec : windows_collector_catalog()) {
      if (spec.name != name) continue;
      return SnapshotTaker(SnapshotOptions{}, std::span<const CollectorSpec>(&spec, 1),
                           make_recorded_windows_machine(dir_.path()))
          .take();
    }
    throw std::invalid_argument("no source named " + std::string(name));
  }

 private:
  triage::testing::TempDir dir_;
};

}  // namespace triage::agent::testing
