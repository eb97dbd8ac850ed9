// The virtualization collector: container or hypervisor, and the init system.
#include <catch2/catch.hpp>

#include "agent/collectors/linux/virtualization.hpp"
#include "tests/agent/collectors/fixture_support.hpp"

using namespace triage::agent;

TEST_CASE("virtualization: desktop on bare metal under systemd",
          "[virtualization][fixture][desktop]") {
  auto s = testing::fixture_collect("desktop", "virtualization").system();
  CHECK(s.virtualization() == "none");
  CHECK(s.init_system() == "systemd");
}

TEST_CASE("virtualization: container under docker with sh as PID 1",
          "[virtualization][fixture][container]") {
  auto s = testing::fixture_collect("container", "virtualization").system();
  CHECK(s.virtualization() == "docker");
  CHECK(s.init_system() == "sh");
}

TEST_CASE("virtualization: hypervisors named by their DMI strings", "[virtualization][parsers]") {
  CHECK(hypervisor_from_dmi("QEMU", "Standard PC (Q35 + ICH9, 2009)") == "kvm");
  CHECK(hypervisor_from_dmi("innotek GmbH", "VirtualBox") == "virtualbox");
  CHECK(hypervisor_from_dmi("Microsoft Corporation", "Virtual Machine") == "hyperv");
  CHECK(hypervisor_from_dmi("Dell Inc.", "OptiPlex 7050").empty());
}
