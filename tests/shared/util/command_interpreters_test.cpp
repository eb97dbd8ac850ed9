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

TEST_CASE(
    "Windows interpreters are refused: cmd.exe, powershell.exe and the script hosts, by path, in "
    "any case") {
  for (const char* program : {
           "C:\\Windows\\System32\\cmd.exe",
           "c:\\windows\\system32\\CMD.EXE",
           "C:/Windows/System32/WindowsPowerShell/v1.0/powershell.exe",
           "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\PowerShell_ISE.exe",
           "C:\\Program Files\\PowerShell\\7\\pwsh.exe",
           "C:\\Windows\\System32\\wscript.exe",
           "C:\\Windows\\System32\\cscript.exe",
           "C:\\Windows\\System32\\mshta.exe",
           "C:\\Windows\\System32\\rundll32.exe",
           "C:\\Windows\\SysWOW64\\regsvr32.exe",
           "C:\\Windows\\System32\\msiexec.exe",
           "C:\\Windows\\System32\\bash.exe",
           "C:\\Windows\\System32\\wsl.exe",
           "C:\\Windows\\System32\\conhost.exe",
           "C:\\Windows\\System32\\forfiles.exe",
           "C:\\Windows\\System32\\runas.exe",
           "C:\\Windows\\explorer.exe",
           "\\\\?\\C:\\Windows\\System32\\cmd.exe",
           "cmd",
           "CMD.COM",
       }) {
    INFO(program);
    CHECK(triage::is_command_interpreter(program));
  }
}

TEST_CASE(
    "Windows interpreters are refused: the spellings Windows opens as the same file (trailing "
    "dots and spaces, a stream, a drive-relative path)") {
  for (const char* program : {"C:\\Windows\\System32\\cmd.exe.", "C:\\Windows\\System32\\cmd.exe ",
                              "C:\\Windows\\System32\\cmd.exe. . ", "C:\\Windows\\cmd.exe::$DATA",
                              "C:cmd.exe", "C:\\Windows\\System32\\CmD"}) {
    INFO(program);
    CHECK(triage::is_command_interpreter(program));
  }
}

TEST_CASE("Windows interpreters are refused: scripts Windows hands to an interpreter") {
  for (const char* program :
       {"C:\\tools\\fix.bat", "C:\\tools\\fix.CMD", "C:\\tools\\fix.ps1", "C:\\tools\\fix.vbs",
        "C:\\tools\\fix.js", "C:\\tools\\fix.hta", "C:\\tools\\setup.msi", "C:\\tools\\fix.bat."}) {
    INFO(program);
    CHECK(triage::is_command_interpreter(program));
  }
}

TEST_CASE("Windows programs that actions run are not interpreters") {
  for (const char* program :
       {"C:\\Windows\\System32\\ipconfig.exe", "C:\\Windows\\System32\\dnscmd.exe",
        "C:\\Windows\\System32\\cmdkey.exe", "C:\\Windows\\System32\\sc.exe",
        "C:\\Windows\\System32\\netsh.exe", "C:\\Program Files\\triage\\triage-agent.exe",
        "C:\\Windows\\System32\\shutdown.exe", "C:\\Windows\\System32\\wslconfig-not.exe",
        "C:\\tools\\batch.exe"}) {
    INFO(program);
    CHECK_FALSE(triage::is_command_interpreter(program));
  }
}
