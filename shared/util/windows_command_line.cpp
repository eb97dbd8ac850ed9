#include "shared/util/windows_command_line.hpp"

namespace triage {

std::string quote_windows_argument(std::string_view argument) {
  if (!argument.empty() && argument.find_first_of(" \t\n\v\"") == std::string_view::npos) {
    return std::string(argument);
  }
  std::string out = "\"";
  std::size_t backslashes = 0;
  for (char c : argument) {
    if (c == '\\') {
      ++backslashes;
      continue;
    }
    if (c == '"') {
      // Each backslash before a quote is doubled, and the quote itself escaped.
      out.append(backslashes * 2 + 1, '\\');
      out.push_back('"');
    } else {
      out.append(backslashes, '\\');
      out.push_back(c);
    }
    backslashes = 0;
  }
  // Backslashes before the closing quote are doubled so that it stays a delimiter.
  out.append(backslashes * 2, '\\');
  out.push_back('"');
  return out;
}

Result<std::string> windows_command_line(const std::vector<std::string>& argv) {
  if (argv.empty()) return fail(ErrorCode::kInvalid, "command line: empty argv");
  for (const auto& element : argv) {
    if (element.find('\0') != std::string::npos) {
      return fail(ErrorCode::kInvalid, "command line: an argument contains a NUL byte");
    }
  }
  if (argv[0].empty() || argv[0].find('"') != std::string::npos) {
    return fail(ErrorCode::kInvalid,
                "command line: the program path is empty or contains a quote: " + argv[0]);
  }
  std::string line = "\"" + argv[0] + "\"";
  for (std::size_t i = 1; i < argv.size(); ++i) {
    line.push_back(' ');
    line += quote_windows_argument(argv[i]);
  }
  return line;
}

}  // namespace triage
