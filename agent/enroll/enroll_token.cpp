#include "agent/enroll/enroll_token.hpp"

#include <iterator>

#include "shared/util/files.hpp"

namespace triage::agent {
namespace {

constexpr std::size_t kMaxToken = 4096;

std::string trimmed(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

}  // namespace

Result<std::string> read_enrollment_token(const TokenSource& source, std::istream& in) {
  const bool stdin_value = source.value && *source.value == "-";
  const int given = (source.value ? 1 : 0) + (source.file ? 1 : 0) + (source.from_stdin ? 1 : 0);
  if (given == 0)
    return fail("give the enrollment token with --token-file PATH, --token-stdin or --token TOKEN");
  if (given > 1)
    return fail("give the enrollment token once: --token, --token-file or --token-stdin");

  std::string raw;
  std::string where;
  if (source.file) {
    where = "token file " + source.file->string();
    auto text = read_file(*source.file, kMaxToken);
    if (!text) return fail(where + ": " + text.error().message);
    raw = std::move(*text);
  } else if (source.from_stdin || stdin_value) {
    where = "standard input";
    std::istreambuf_iterator<char> it(in), end;
    while (it != end && raw.size() <= kMaxToken) raw += *it++;
  } else {
    where = "--token";
    raw = *source.value;
  }
  auto token = trimmed(raw);
  if (raw.size() > kMaxToken) return fail("enrollment token from " + where + ": longer than 4 KiB");
  if (token.empty()) return fail("enrollment token from " + where + ": empty");
  return token;
}

}  // namespace triage::agent
