#pragma once
// A recorded Windows machine written by a test into a temporary directory, for answers the
// two recorded machines do not give (a missing provider, a hostile value), and one source run
// against it.

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "tests/agent/collectors/windows_sources/recorded_machine_support.hpp"

namespace triage::agent::testing {

class TempRecordedMachine {
 public:
  TempRecordedMachine()
      : dir_(std::filesystem::temp_directory_path() /
             ("triage-temp-machine-" + std::to_string(::getpid()) + "-" +
              std::to_string(reinterpret_cast<std::uintptr_t>(this)))) {
    std::filesystem::create_directories(dir_);
    write("machine.json", R"({"now_unix_ms": 1796126400000, "is_admin": true})");
  }
  ~TempRecordedMachine() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  TempRecordedMachine(const TempRecordedMachine&) = delete;
  TempRecordedMachine& operator=(const TempRecordedMachine&) = delete;

  /// Writes `text` to `relative` (a path of the recording format) inside the machine.
  void write(const std::string& relative, const std::string& text) const {
    auto path = dir_ / relative;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
  }

  /// The product type of windows_os: "WinNT" (workstation) or "ServerNT".
  void product_type(const std::string& type) const {
    write("registry/os.reg",
          "Windows Registry Editor Version 5.00\r\n\r\n"
          "[HKLM\\SYSTEM\\CurrentControlSet\\Control\\ProductOptions]\r\n"
          "\"ProductType\"=\"" +
              type + "\"\r\n");
  }

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
