#include "agent/collectors/windows_sources/windows_command_line.hpp"

#include "agent/collectors/redact.hpp"

namespace triage::agent {
namespace {

bool blank(char c) { return c == ' ' || c == '\t'; }

}  // namespace

std::vector<std::string> split_windows_command_line(std::string_view line) {
  std::vector<std::string> args;
  std::size_t i = 0;
  while (i < line.size() && blank(line[i])) ++i;
  if (i == line.size()) return args;
  // The program name: no escapes, a quote only opens or closes.
  std::string program;
  if (line[i] == '"') {
    auto close = line.find('"', i + 1);
    program = line.substr(i + 1, close == std::string_view::npos ? close : close - i - 1);
    i = close == std::string_view::npos ? line.size() : close + 1;
  } else {
    while (i < line.size() && !blank(line[i])) program += line[i++];
  }
  args.push_back(std::move(program));
  while (true) {
    while (i < line.size() && blank(line[i])) ++i;
    if (i >= line.size()) break;
    std::string arg;
    bool quoted = false;
    while (i < line.size() && (quoted || !blank(line[i]))) {
      if (line[i] == '\\') {
        std::size_t slashes = 0;
        while (i < line.size() && line[i] == '\\') ++slashes, ++i;
        if (i < line.size() && line[i] == '"') {
          arg.append(slashes / 2, '\\');
          if (slashes % 2 == 1) {
            arg += '"';
            ++i;
          }
        } else {
          arg.append(slashes, '\\');
        }
      } else if (line[i] == '"') {
        // "" inside quotes is a literal quote.
        if (quoted && i + 1 < line.size() && line[i + 1] == '"') {
          arg += '"';
          i += 2;
        } else {
          quoted = !quoted;
          ++i;
        }
      } else {
        arg += line[i++];
      }
    }
    args.push_back(std::move(arg));
  }
  return args;
}

std::string redact_windows_command_line(std::string_view line, std::size_t max_len) {
  auto args = split_windows_command_line(line);
  if (args.empty()) return {};
  // redact_argv reads an argument with blanks as a script ("sh -c '...'"); on Windows it is
  // the program's path ("C:\Program Files\..."). Redact with the bare file name in its place,
  // so the program's own password options are known, then put the path back.
  std::string program = std::move(args[0]);
  auto name = program.substr(program.find_last_of("\\/") + 1);
  for (auto& c : name) {
    if (blank(c)) c = '_';
  }
  args[0] = name;
  redact_argv(args);
  args[0] = redact_text(program);
  std::string out;
  for (const auto& a : args) {
    if (!out.empty()) out += ' ';
    const bool needs_quotes = a.empty() || a.find_first_of(" \t") != std::string::npos;
    if (needs_quotes) out += '"';
    out += a;
    if (needs_quotes) out += '"';
    if (out.size() >= max_len) break;
  }
  if (out.size() > max_len)
    out = max_len >= 3 ? out.substr(0, max_len - 3) + "..." : out.substr(0, max_len);
  return out;
}

}  // namespace triage::agent
