#include "collector/triagectl/ctl_output.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>

namespace triage::ctl {

namespace {

/// Length of the valid UTF-8 sequence starting at s[i], or 0 when invalid.
std::size_t utf8_length(const std::string& s, std::size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  std::size_t n = b < 0x80           ? 1
                  : (b >> 5) == 0x6  ? 2
                  : (b >> 4) == 0xE  ? 3
                  : (b >> 3) == 0x1E ? 4
                                     : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  }
  return n;
}

std::size_t display_length(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char ch : s) n += (ch & 0xC0) != 0x80;
  return n;
}

}  // namespace

std::string sanitize(const std::string& text, bool keep_newlines) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto b = static_cast<unsigned char>(text[i]);
    const std::size_t n = utf8_length(text, i);
    if (n == 0) {
      ++i;  // invalid byte: dropped
      continue;
    }
    if (n == 1) {
      if (b == '\n') {
        out += keep_newlines ? '\n' : ' ';
      } else if (b == '\t') {
        out += ' ';
      } else if (b >= 0x20 && b != 0x7F) {
        out += static_cast<char>(b);
      }
    } else if (n == 2 && b == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0) {
      // a C1 control (U+0080..U+009F): dropped
    } else if (n == 3 && b == 0xE2) {
      // Bidi embeddings, overrides and isolates, marks and line separators would let the
      // endpoint's text reorder what the terminal shows: dropped.
      const std::uint32_t cp = (static_cast<std::uint32_t>(b & 0x0F) << 12) |
                               (static_cast<std::uint32_t>(text[i + 1] & 0x3F) << 6) |
                               static_cast<std::uint32_t>(text[i + 2] & 0x3F);
      const bool hidden = (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
                          cp == 0x200E || cp == 0x200F || cp == 0x2028 || cp == 0x2029;
      if (!hidden) out.append(text, i, n);
    } else {
      out.append(text, i, n);
    }
    i += n;
  }
  return out;
}

std::string truncate(const std::string& text, std::size_t max_chars) {
  auto clean = sanitize(text);
  if (display_length(clean) <= max_chars || max_chars == 0) return clean;
  std::string out;
  std::size_t chars = 0;
  for (std::size_t i = 0; i < clean.size() && chars + 1 < max_chars;) {
    const std::size_t n = std::max<std::size_t>(utf8_length(clean, i), 1);
    out.append(clean, i, n);
    i += n;
    ++chars;
  }
  return out + "\xE2\x80\xA6";
}

std::string field(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return "-";
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return "-";
  if (it->is_string()) return sanitize(it->get<std::string>());
  return sanitize(it->dump());
}

const nlohmann::json& member(const nlohmann::json& j, const char* key) {
  static const nlohmann::json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

std::string text_of(const nlohmann::json& j) {
  if (j.is_null()) return "-";
  if (j.is_string()) {
    auto text = sanitize(j.get<std::string>());
    return text.empty() ? "-" : text;
  }
  if (j.is_array() &&
      std::none_of(j.begin(), j.end(), [](const nlohmann::json& v) { return v.is_structured(); })) {
    std::string out;
    for (const auto& v : j) out += (out.empty() ? "" : ", ") + text_of(v);
    return out.empty() ? "-" : out;
  }
  return sanitize(j.dump());
}

std::string human_bytes(double bytes) {
  if (!std::isfinite(bytes) || bytes < 0) return "-";
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 4) {
    bytes /= 1024;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, unit == 0 ? "%.0f %s" : "%.1f %s", bytes, units[unit]);
  return buf;
}

void print_table(std::ostream& out, const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) width[c] = display_length(header[c]);
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size() && c < width.size(); ++c) {
      width[c] = std::max(width[c], display_length(row[c]));
    }
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (std::size_t c = 0; c < header.size(); ++c) {
      const std::string cell = c < cells.size() ? sanitize(cells[c]) : "";
      text += cell;
      if (c + 1 < header.size()) text.append(width[c] - display_length(cell) + 2, ' ');
    }
    out << text << "\n";
  };
  line(header);
  for (const auto& row : rows) line(row);
}

}  // namespace triage::ctl
