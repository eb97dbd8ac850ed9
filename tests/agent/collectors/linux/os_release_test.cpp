// The os_release collector: os-release(5) of the fixture machines, and its parser.
#include <catch2/catch.hpp>

#include "agent/collectors/linux/os_release.hpp"
#include "tests/agent/collectors/fixture_support.hpp"
#include "tests/agent/collectors/linux/hostile_inputs.hpp"

using namespace triage::agent;

TEST_CASE("os_release: desktop distribution", "[os_release][fixture][desktop]") {
  auto snap = testing::fixture_collect("desktop", "os_release");
  const auto& s = snap.system();
  CHECK(s.os_pretty_name() == "Ubuntu 22.04.4 LTS");
  CHECK(s.os_id() == "ubuntu");
  CHECK(s.os_version_id() == "22.04");
  CHECK(s.os_version_codename() == "jammy");
}

TEST_CASE("os_release: laptop distribution", "[os_release][fixture][laptop]") {
  auto snap = testing::fixture_collect("laptop", "os_release");
  CHECK(snap.system().os_id() == "fedora");
  CHECK(snap.system().os_pretty_name() == "Fedora Linux 40 (Workstation Edition)");
}

TEST_CASE("os_release: quoting and comments", "[os_release][parsers]") {
  auto os = parse_os_release(
      "# comment\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n"
      "VERSION_ID='12'\nVERSION_CODENAME=bookworm\n");
  CHECK(os.pretty_name == "Debian GNU/Linux 12 (bookworm)");
  CHECK(os.id == "debian");
  CHECK(os.version_id == "12");
  CHECK(os.codename == "bookworm");
}

TEST_CASE("os_release: the parser survives hostile input", "[os_release][parsers][robustness]") {
  for (const auto& input : testing::hostile_inputs()) (void)parse_os_release(input);
  SUCCEED();
}
