#include "shared/util/command_interpreters.hpp"

#include <catch2/catch.hpp>

using triage::is_command_interpreter;

TEST_CASE("shells, interpreters and exec wrappers are recognised by name, any version") {
  for (const char* program :
       {"/bin/sh", "/bin/bash", "/usr/bin/dash", "sh", "/usr/bin/python3", "/usr/bin/python3.11",
        "/usr/bin/perl5.36.0", "/usr/bin/lua5.4", "/usr/bin/env", "/usr/bin/xargs", "/usr/bin/sudo",
        "/usr/bin/systemd-run", "/usr/bin/busybox", "/usr/bin/awk"}) {
    INFO(program);
    CHECK(is_command_interpreter(program));
  }
}

TEST_CASE("the programs actions run are not interpreters") {
  for (const char* program :
       {"/usr/bin/systemctl", "/usr/bin/resolvectl", "/usr/bin/journalctl", "/usr/bin/find",
        "/usr/sbin/shutdown", "/usr/bin/triage-agent", "/bin/echo", "/usr/bin/shred",
        "/usr/bin/envsubst-not", "/usr/local/bin/shark", "/", ""}) {
    INFO(program);
    CHECK_FALSE(is_command_interpreter(program));
  }
}
