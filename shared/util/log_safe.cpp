#include "shared/util/log_safe.hpp"

#include <cstdint>
#include <cstdio>

namespace triage {
namespace {

void append_hex(std::string& out, const char* format, unsigned value) {
  char buf[16];
  std::snprintf(buf, sizeof buf, format, value);
  out += buf;
}

/// Length of the valid UTF-8 sequence at `s[i]` and its code point; 0 when invalid.
std::size_t utf8_sequence(std::string_view s, std::size_t i, std::uint32_t& cp) {
  auto b = static_cast<unsigned char>(s[i]);
  std::size_t n = b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 && b < 0xE0 ? 2 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  cp = b & (0x7F >> n);
  for (std::size_t k = 1; k < n; ++k) {
    auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (c & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not text.
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return n;
}

bool hidden_code_point(std::uint32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F) ||      // C1 controls (0x9B is a CSI on some terminals)
         (cp >= 0x202A && cp <= 0x202E) ||  // bidi embeddings and overrides
         (cp >= 0x2066 && cp <= 0x2069) ||  // bidi isolates
         cp == 0x2028 || cp == 0x2029 || cp == 0x200E || cp == 0x200F;
}

}  // namespace

std::string log_safe(std::string_view text, std::size_t max_bytes) {
  const bool cut = text.size() > max_bytes;
  if (cut) text = text.substr(0, max_bytes);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      std::uint32_t cp = 0;
      std::size_t n = utf8_sequence(text, i, cp);
      if (n == 0) {
        append_hex(out, "\\x%02x", c);
        ++i;
      } else if (hidden_code_point(cp)) {
        append_hex(out, "\\u%04x", cp);
        i += n;
      } else {
        out.append(text.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7F)
          append_hex(out, "\\x%02x", c);
        else
          out += static_cast<char>(c);
    }
    ++i;
  }
  if (cut) out += "...";
  return out;
}

std::string log_url(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) return "(not a URL)";
  auto authority = url.substr(scheme_end + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (auto at = authority.rfind('@'); at != std::string_view::npos)
    authority = authority.substr(at + 1);
  return log_safe(std::string(url.substr(0, scheme_end)) + "://" + std::string(authority), 200);
}

}  // namespace triage
