// The pci collector: PCI devices and GPUs, named from pci.ids.
#include <catch2/catch.hpp>

#include "agent/collectors/linux/pci.hpp"
#include "tests/agent/collectors/fixture_support.hpp"
#include "tests/agent/collectors/linux/hostile_inputs.hpp"

using namespace triage::agent;
using testing::find_if;

TEST_CASE("pci: desktop devices and GPU", "[pci][fixture][desktop]") {
  auto hw = testing::fixture_collect("desktop", "pci").hardware();
  REQUIRE(hw.pci_devices_size() == 4);
  const auto* gpu_dev =
      find_if(hw.pci_devices(), [](auto& d) { return d.slot() == "0000:00:02.0"; });
  REQUIRE(gpu_dev);
  CHECK(gpu_dev->vendor_id() == 0x8086);
  CHECK(gpu_dev->device_id() == 0x5912);
  CHECK(gpu_dev->class_name() == "VGA compatible controller");
  CHECK(gpu_dev->vendor_name() == "Intel Corporation");
  CHECK(gpu_dev->device_name() == "HD Graphics 630");
  CHECK(gpu_dev->driver() == "i915");
  const auto* audio = find_if(hw.pci_devices(), [](auto& d) { return d.slot() == "0000:00:1f.3"; });
  REQUIRE(audio);
  CHECK(audio->class_name() == "Audio device");
  CHECK(audio->device_name().empty());  // not in the trimmed pci.ids
  REQUIRE(hw.gpus_size() == 1);
  CHECK(hw.gpus(0).model() == "HD Graphics 630");
  CHECK(hw.gpus(0).driver() == "i915");
}

TEST_CASE("pci: the pci.ids lookup survives hostile input", "[pci][parsers][robustness]") {
  for (const auto& input : testing::hostile_inputs()) {
    (void)lookup_pci_ids(input, {{0x8086, 0x1234}});
  }
  SUCCEED();
}
