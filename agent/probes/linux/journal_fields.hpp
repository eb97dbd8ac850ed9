#pragma once
// Reading one journal entry's fields as text fit to send: shared by the log_lines probe and
// the live view's error lines.

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>

#include "agent/probes/linux/journal_library.hpp"

namespace triage::agent {

/// The value of field `name` in the current entry, at most `cap` bytes (plus a little: the
/// caller cuts), or nullopt.
inline std::optional<std::string> journal_field(const JournalLibrary& sd, sd_journal* j,
                                                const char* name, std::size_t cap) {
  const void* data = nullptr;
  std::size_t length = 0;
  if (sd.get_data(j, name, &data, &length) < 0) return std::nullopt;
  // The data threshold is a hint: a field can still come whole, megabytes of it.
  const std::string_view entry(static_cast<const char*>(data), std::min(length, cap + 64));
  const auto equals = entry.find('=');
  if (equals == std::string_view::npos) return std::nullopt;
  return std::string(entry.substr(equals + 1));
}

/// Printable text: control characters (but tab) become '?', the length is capped.
inline std::string printable_journal_text(std::string text, std::size_t cap) {
  if (text.size() > cap) text.resize(cap);
  for (char& c : text) {
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) c = '?';
  }
  return text;
}

}  // namespace triage::agent
