// installers/linux/triage-agent.service: hardened, yet able to diagnose and run approved
// actions. Checked by content, and with `systemd-analyze verify` when it is installed.

#include <unistd.h>

#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "shared/util/files.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

std::string unit_text() {
  auto text =
      triage::read_file(std::string(TRIAGE_SOURCE_DIR) + "/installers/linux/triage-agent.service");
  REQUIRE(text);
  return *text;
}

bool has_line(const std::string& text, const std::string& line) {
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (l == line) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("the service unit runs the daemon with its state and help socket directories") {
  auto unit = unit_text();
  CHECK(has_line(unit, "ExecStart=/usr/bin/triage-agent run --state /var/lib/triage-agent"));
  CHECK(has_line(unit, "StateDirectory=triage-agent"));
  CHECK(has_line(unit, "StateDirectoryMode=0700"));
  CHECK(has_line(unit, "RuntimeDirectory=triage-agent"));
  CHECK(has_line(unit, "Restart=on-failure"));
  CHECK(has_line(unit, "WantedBy=multi-user.target"));
}

TEST_CASE("the service unit is hardened without breaking diagnostics or actions") {
  auto unit = unit_text();
  for (const char* line :
       {"NoNewPrivileges=yes", "ProtectSystem=full", "ProtectKernelModules=yes",
        "ProtectKernelTunables=yes", "RestrictSUIDSGID=yes", "SystemCallFilter=@system-service",
        "MemoryDenyWriteExecute=yes", "LockPersonality=yes"}) {
    INFO(line);
    CHECK(has_line(unit, line));
  }
  // Diagnostics need the kernel log and every process; actions need the real /tmp and /var.
  CHECK(has_line(unit, "ProtectKernelLogs=no"));
  CHECK(has_line(unit, "PrivateTmp=no"));
  CHECK_FALSE(has_line(unit, "ProtectSystem=strict"));
  CHECK_FALSE(has_line(unit, "PrivateNetwork=yes"));
  CHECK(unit.find("CAP_SYS_PTRACE") != std::string::npos);
  CHECK(unit.find("CAP_KILL") != std::string::npos);
  CHECK(unit.find("AF_NETLINK") != std::string::npos);
}

TEST_CASE("systemd-analyze verify accepts the service unit") {
  if (::access("/usr/bin/systemd-analyze", X_OK) != 0) {
    WARN("systemd-analyze not installed; content checks only");
    return;
  }
  triage::testing::TempDir dir;
  // Verify resolves ExecStart: point it at a binary that exists here.
  auto unit = unit_text();
  const std::string from = "/usr/bin/triage-agent";
  std::string built = std::string(TRIAGE_BIN_DIR) + "/triage-agent";
  if (::access(built.c_str(), X_OK) != 0) built = "/bin/true";
  unit.replace(unit.find(from), from.size(), built);
  const auto path = dir.path() / "triage-agent.service";
  std::ofstream(path) << unit;
  auto r = triage::testing::run_command({"/usr/bin/systemd-analyze", "verify", path.string()},
                                        dir.path());
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("triage-agent.service:") == std::string::npos);
}
