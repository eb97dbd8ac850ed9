#pragma once
// Inputs no parser may crash on: empty, separators only, unterminated quotes, binary junk,
// huge lines, truncated records.

#include <random>
#include <string>
#include <vector>

namespace triage::agent::testing {

/// The same list on every call (fixed seeds).
inline std::vector<std::string> hostile_inputs() {
  std::vector<std::string> out = {"",
                                  "\n",
                                  "\n\n\n",
                                  ":",
                                  "=",
                                  std::string("\0\0\0", 3),
                                  "a:b:c:d",
                                  "x=\"",
                                  std::string(1 << 20, 'A'),
                                  std::string(1 << 20, '('),
                                  std::string(100000, '\t'),
                                  std::string(200000, '\n')};
  std::mt19937 rng(42);
  for (int i = 0; i < 8; ++i) {
    std::string junk(4096, '\0');
    for (auto& c : junk) c = static_cast<char>(rng());
    out.push_back(junk);
  }
  std::mt19937 lines(99);
  for (int i = 0; i < 16; ++i) {
    std::string junk(2048 + i * 97, '\0');
    for (auto& c : junk) c = static_cast<char>(lines() % 7 == 0 ? '\n' : lines());
    out.push_back(junk);
  }
  out.push_back("MemTotal: " + std::string(100000, '9') + " kB\n");
  return out;
}

}  // namespace triage::agent::testing
