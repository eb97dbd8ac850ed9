#pragma once
// A recorded Windows machine written by a test from nothing (ScratchMachine with only
// machine.json), for answers the two recorded machines do not give (a missing provider, a
// hostile value), with the product type windows_os would read.

#include <string>

#include "tests/agent/collectors/windows_sources/scratch_machine_support.hpp"

namespace triage::agent::testing {

class TempRecordedMachine : public ScratchMachine {
 public:
  TempRecordedMachine() : ScratchMachine("") {}

  /// The product type of windows_os: "WinNT" (workstation) or "ServerNT".
  void product_type(const std::string& type) const {
    write("registry/os.reg",
          "Windows Registry Editor Version 5.00\r\n\r\n"
          "[HKLM\\SYSTEM\\CurrentControlSet\\Control\\ProductOptions]\r\n"
          "\"ProductType\"=\"" +
              type + "\"\r\n");
  }
};

}  // namespace triage::agent::testing
