// Secret redaction (agent/collectors/redact.cpp, redact_argv.cpp): a local user chooses the
// command lines and environments of their processes, and the agent (root) redacts them before
// anything leaves the machine. Input: a byte choosing the length cap, then a NUL-separated
// /proc/<pid>/cmdline.

#include "agent/collectors/redact.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using namespace triage;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::FuzzInput in(data, size);
  const std::size_t max_len = std::size_t{in.byte()} * 8;
  auto cmdline = in.rest();
  auto line = agent::redact_cmdline(cmdline, max_len);
  if (line.size() > max_len) __builtin_trap();
  std::vector<std::string> argv;
  std::size_t start = 0;
  while (start <= cmdline.size()) {
    auto end = cmdline.find('\0', start);
    if (end == std::string_view::npos) end = cmdline.size();
    argv.emplace_back(cmdline.substr(start, end - start));
    start = end + 1;
  }
  agent::redact_argv(argv);
  (void)agent::redact_text(cmdline);
  if (!argv.empty()) (void)agent::redact_env_value(argv.front(), cmdline);
  return 0;
}
