#include "shared/util/windows_command_line.hpp"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

using triage::quote_windows_argument;
using triage::windows_command_line;

namespace {

/// The arguments after the program name, split as the Microsoft C runtime (2008 and later)
/// splits them: a reference for the round trips below. Windows tests (tests/windows/) check
/// the real runtime.
std::vector<std::string> split_arguments(std::string_view line) {
  std::vector<std::string> args;
  std::size_t i = 0;
  const std::size_t n = line.size();
  for (;;) {
    while (i < n && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= n) break;
    std::string arg;
    bool quoted = false;
    while (i < n) {
      const char c = line[i];
      if ((c == ' ' || c == '\t') && !quoted) break;
      if (c == '\\') {
        std::size_t k = 0;
        while (i < n && line[i] == '\\') ++k, ++i;
        if (i < n && line[i] == '"') {
          arg.append(k / 2, '\\');
          if (k % 2 == 1) {
            arg.push_back('"');
            ++i;
          }
        } else {
          arg.append(k, '\\');
        }
        continue;
      }
      if (c == '"') {
        if (quoted && i + 1 < n && line[i + 1] == '"') {
          arg.push_back('"');
          i += 2;
          continue;
        }
        quoted = !quoted;
        ++i;
        continue;
      }
      arg.push_back(c);
      ++i;
    }
    args.push_back(arg);
  }
  return args;
}

}  // namespace

TEST_CASE("Windows argv quoting: simple arguments pass unchanged, the rest is quoted") {
  auto [argument, quoted] = GENERATE(table<std::string, std::string>({
      {"plain", "plain"},
      {"C:\\dir\\file.txt", "C:\\dir\\file.txt"},
      {"trailing\\", "trailing\\"},
      {"", "\"\""},
      {"two words", "\"two words\""},
      {"tab\there", "\"tab\there\""},
      {"new\nline", "\"new\nline\""},
      {"say \"hi\"", "\"say \\\"hi\\\"\""},
      {"\"", "\"\\\"\""},
      {"dir with space\\", "\"dir with space\\\\\""},
      {"back\\\"quote", "\"back\\\\\\\"quote\""},
      {"a\\\\b c", "\"a\\\\b c\""},
      {"ünïcode text", "\"ünïcode text\""},
  }));
  INFO(argument);
  CHECK(quote_windows_argument(argument) == quoted);
}

TEST_CASE(
    "Windows argv quoting: every argument of spaces, tabs, quotes and backslashes reads "
    "back unchanged") {
  // Every string of up to 5 characters over the characters that matter to the parser.
  const std::string alphabet = "a \t\"\\";
  std::vector<std::string> all{""};
  for (std::size_t length = 1, from = 0; length <= 5; ++length) {
    const std::size_t to = all.size();
    for (std::size_t i = from; i < to; ++i) {
      for (char c : alphabet) all.push_back(all[i] + c);
    }
    from = to;
  }
  REQUIRE(all.size() == 3906);
  for (const auto& argument : all) {
    const std::string line = "x " + quote_windows_argument(argument) + " y";
    const auto args = split_arguments(line);
    INFO("argument [" << argument << "] line [" << line << "]");
    REQUIRE(args.size() == 3);
    CHECK(args[0] == "x");
    CHECK(args[1] == argument);
    CHECK(args[2] == "y");
  }
}

TEST_CASE("Windows command line: the program is quoted, the arguments follow one by one") {
  auto line = windows_command_line(
      {"C:\\Program Files\\triage\\probe.exe", "--name", "two words", "end\\", ""});
  REQUIRE(line);
  CHECK(*line == "\"C:\\Program Files\\triage\\probe.exe\" --name \"two words\" end\\ \"\"");
  const auto args = split_arguments(line->substr(line->find("\" ") + 2));
  CHECK(args == std::vector<std::string>{"--name", "two words", "end\\", ""});
}

TEST_CASE("Windows command line: a NUL, a quote in the program or an empty argv is refused") {
  CHECK_FALSE(windows_command_line({}));
  CHECK_FALSE(windows_command_line({""}));
  CHECK_FALSE(windows_command_line({"C:\\a\"b.exe"}));
  CHECK_FALSE(windows_command_line({"C:\\a.exe", std::string("x\0y", 3)}));
}
