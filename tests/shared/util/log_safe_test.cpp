// Peer- and user-controlled text in log lines: no forged lines, no terminal escapes, no URL
// paths or queries.
#include <catch2/catch.hpp>

#include "shared/util/log_safe.hpp"

using triage::log_safe;
using triage::log_url;

TEST_CASE("Login names, webhook URLs and hostnames go into logs raw: log_safe escapes them",
          "[log_safe]") {
  CHECK(log_safe("alice") == "alice");
  CHECK(log_safe("José Müller") == "José Müller");
  // A forged second log line and a terminal escape sequence.
  CHECK(log_safe("bob\r\n2026-01-01 00:00:00.000 info  triage: user admin logged in") ==
        "bob\\r\\n2026-01-01 00:00:00.000 info  triage: user admin logged in");
  CHECK(log_safe("\x1b[2J\x1b]0;owned\x07") == "\\x1b[2J\\x1b]0;owned\\x07");
  CHECK(log_safe(std::string("a\0b", 3)) == "a\\x00b");
  CHECK(log_safe("tab\there\x7f") == "tab\\there\\x7f");
  CHECK(log_safe("C:\\temp\\n") == "C:\\\\temp\\\\n");
  // C1 CSI, a right-to-left override and bytes that are not UTF-8.
  CHECK(log_safe("\xc2\x9b"
                 "31m") == "\\u009b31m");
  CHECK(log_safe("evil\xe2\x80\xaegnp.exe") == "evil\\u202egnp.exe");
  CHECK(log_safe("\xff\xfe"
                 "x\xc3") == "\\xff\\xfex\\xc3");
  CHECK(log_safe(std::string(1000, 'a'), 10) == "aaaaaaaaaa...");
}

TEST_CASE("log_url keeps only scheme, host and port", "[log_safe]") {
  CHECK(log_url("https://hooks.example.com/services/T0/B0/SECRETPATH?token=abc#x") ==
        "https://hooks.example.com");
  CHECK(log_url("https://user:pw@rt.example:8443/REST/2.0?q=1") == "https://rt.example:8443");
  CHECK(log_url("https://[::1]:9443/x") == "https://[::1]:9443");
  CHECK(log_url("http://h\r\nforged") == "http://h\\r\\nforged");
  CHECK(log_url("no scheme here/path") == "(not a URL)");
}
