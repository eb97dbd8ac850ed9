#include "agent/collectors/redact.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "agent/collectors/text.hpp"

namespace triage::agent {
namespace {

// Found anywhere in a squashed name ("dbpassword", "xauthtoken").
constexpr std::array<std::string_view, 17> kSecretWords = {
    "password",  "passwd",     "passphrase", "secret", "token",        "apikey",
    "accesskey", "privatekey", "credential", "creds",  "sessionid",    "cookie",
    "signature", "clientkey",  "bearer",     "jwt",    "authorization"};
// Short words only as a whole name or suffix ("dbpass", "--auth", "wifi-sec.psk"), not
// "passive", "author".
constexpr std::array<std::string_view, 4> kSecretSuffixes = {"pass", "pwd", "auth", "psk"};
// Too short to trust even as a suffix: only the whole name ("--pw", "&sig=").
constexpr std::array<std::string_view, 2> kSecretNames = {"pw", "sig"};
// A name ending so names where the secret is, not the secret: "--password-file PATH",
// "--password-stdin", "--passphrase-fd 3".
constexpr std::array<std::string_view, 5> kIndirectSuffixes = {"file", "stdin", "fd", "path",
                                                               "dir"};

/// Lower-case with "-", "_" and "." removed: "--Api_Key" -> "apikey".
std::string squash(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '-' || c == '_' || c == '.') continue;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// Token formats that announce themselves: GitHub, GitLab, Slack, Stripe, npm, PyPI, Google API
// keys, HashiCorp Vault, DigitalOcean, Shopify, OpenAI/Anthropic ("sk-"), JWTs ("eyJ").
constexpr std::array<std::string_view, 28> kTokenPrefixes = {
    "ghp_",   "gho_",     "ghs_",     "ghu_",     "ghr_",   "github_pat_", "glpat-",
    "glptt-", "gldt-",    "xoxb-",    "xoxp-",    "xoxa-",  "xoxs-",       "xoxr-",
    "xapp-",  "sk_live_", "sk_test_", "rk_live_", "npm_",   "pypi-",       "AIza",
    "hvs.",   "hvb.",     "hvr.",     "dop_v1_",  "shpat_", "sk-",         "eyJ"};

bool is_base64ish(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '+' || c == '=';
}
bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
         c == '/' || c == '+' || c == '=';
}

/// Replaces token-shaped secrets found anywhere in `s`.
std::string redact_patterns(std::string_view s) {
  std::string out;
  std::size_t i = 0;
  auto run_end = [&](std::size_t from, auto pred) {
    std::size_t j = from;
    while (j < s.size() && pred(s[j])) ++j;
    return j;
  };
  while (i < s.size()) {
    bool boundary = i == 0 || !is_token_char(s[i - 1]);
    if (boundary) {
      // AWS access key ids: AKIA/ASIA + 16 upper-case alphanumerics.
      if ((s.substr(i, 4) == "AKIA" || s.substr(i, 4) == "ASIA") && i + 20 <= s.size()) {
        std::size_t j = run_end(i, [](char c) {
          return std::isupper(static_cast<unsigned char>(c)) ||
                 std::isdigit(static_cast<unsigned char>(c));
        });
        if (j - i == 20) {
          out += kRedacted;
          i = j;
          continue;
        }
      }
      // Well-known token prefixes.
      for (std::string_view prefix : kTokenPrefixes) {
        if (s.substr(i, prefix.size()) == prefix) {
          std::size_t j = run_end(i, is_token_char);
          if (j - i >= prefix.size() + 16) {
            out += kRedacted;
            i = j;
            goto next;
          }
        }
      }
      // AWS-style secret keys: 40 base64 characters mixing upper case, lower case and digits.
      {
        std::size_t j = run_end(i, is_base64ish);
        if (j - i == 40) {
          bool upper = false, lower = false, digit = false;
          for (std::size_t k = i; k < j; ++k) {
            unsigned char c = static_cast<unsigned char>(s[k]);
            upper |= std::isupper(c) != 0;
            lower |= std::islower(c) != 0;
            digit |= std::isdigit(c) != 0;
          }
          if (upper && lower && digit) {
            out += kRedacted;
            i = j;
            continue;
          }
        }
      }
    }
    out += s[i++];
  next:;
  }
  return out;
}

constexpr std::size_t kMaxUserInfo = 4096;

/// "scheme://user:password@host" -> "scheme://user:[REDACTED]@host".
std::string redact_url_credentials(std::string_view s) {
  std::string out;
  std::size_t i = 0;
  for (;;) {
    auto scheme = s.find("://", i);
    if (scheme == std::string_view::npos) break;
    std::size_t start = scheme + 3;
    std::size_t end = start;
    // Bounded, so "x://x://x://..." stays linear: no real user info is this long.
    const std::size_t limit = std::min(s.size(), start + kMaxUserInfo);
    while (end < limit && s[end] != '/' && s[end] != ' ' && s[end] != '@' && s[end] != '?') ++end;
    if (end < s.size() && s[end] == '@') {
      auto userinfo = s.substr(start, end - start);
      auto colon = userinfo.find(':');
      if (colon != std::string_view::npos) {
        out.append(s.substr(i, start + colon + 1 - i));
        out += kRedacted;
        i = end;
        continue;
      }
      // A token used as the user name ("https://ghp_...@github.com").
      if (redact_patterns(userinfo) != userinfo) {
        out.append(s.substr(i, start - i));
        out += kRedacted;
        i = end;
        continue;
      }
    }
    out.append(s.substr(i, start - i));
    i = start;
  }
  out.append(s.substr(i));
  return out;
}

/// "a=1&token=xyz" / "password: x" style pairs whose key is secret.
std::string redact_pairs(std::string_view s) {
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t eq = s.find_first_of("=:", i);
    if (eq == std::string_view::npos) break;
    // The key is the identifier just before the separator.
    std::size_t k = eq;
    while (k > i && (std::isalnum(static_cast<unsigned char>(s[k - 1])) || s[k - 1] == '_' ||
                     s[k - 1] == '-' || s[k - 1] == '.'))
      --k;
    std::string_view key = s.substr(k, eq - k);
    bool url_scheme = s[eq] == ':' && s.substr(eq).starts_with("://");
    if (!key.empty() && !url_scheme && is_secret_name(key)) {
      std::size_t v = eq + 1;
      while (v < s.size() && s[v] == ' ') ++v;
      if (s[eq] == ':' && starts_with_nocase(s.substr(v), "bearer ")) v += 7;
      if (s[eq] == ':' && starts_with_nocase(s.substr(v), "basic ")) v += 6;
      std::size_t end = v;
      bool header = s[eq] == ':';
      while (end < s.size() && s[end] != '&' && s[end] != ';' && s[end] != ',' &&
             (header || s[end] != ' ') && s[end] != '"' && s[end] != '\'')
        ++end;
      if (end > v) {
        out.append(s.substr(i, v - i));
        out += kRedacted;
        i = end;
        continue;
      }
    }
    out.append(s.substr(i, eq + 1 - i));
    i = eq + 1;
  }
  out.append(s.substr(i));
  return out;
}

/// "... Bearer abc123..." anywhere: the word after "bearer" is a token, whatever its shape.
std::string redact_bearer(std::string_view s) {
  constexpr std::string_view kWord = "bearer ";
  constexpr std::size_t kMinToken = 8;
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    bool boundary = i == 0 || !std::isalnum(static_cast<unsigned char>(s[i - 1]));
    if (boundary && starts_with_nocase(s.substr(i), kWord)) {
      std::size_t v = i + kWord.size();
      while (v < s.size() && s[v] == ' ') ++v;
      std::size_t end = v;
      while (end < s.size() && (is_token_char(s[end]) || s[end] == '~')) ++end;
      if (end - v >= kMinToken) {
        out.append(s.substr(i, v - i));
        out += kRedacted;
        i = end;
        continue;
      }
    }
    out += s[i++];
  }
  return out;
}

}  // namespace

bool is_secret_name(std::string_view name) {
  auto s = squash(name);
  if (s.empty()) return false;
  for (auto suffix : kIndirectSuffixes) {
    if (s.size() > suffix.size() && s.ends_with(suffix)) return false;
  }
  for (auto word : kSecretNames) {
    if (s == word) return true;
  }
  for (auto word : kSecretSuffixes) {
    if (s.ends_with(word)) return true;
  }
  for (auto word : kSecretWords) {
    if (s.find(word) != std::string::npos) return true;
  }
  return false;
}

std::string redact_text(std::string_view text) {
  return redact_patterns(redact_bearer(redact_pairs(redact_url_credentials(text))));
}

std::string redact_env_value(std::string_view name, std::string_view value) {
  if (is_secret_name(name)) return std::string(kRedacted);
  return redact_text(value);
}

std::string redact_cmdline(std::string_view nul_separated, std::size_t max_len) {
  std::vector<std::string> argv;
  for (auto part : split(nul_separated, '\0')) argv.emplace_back(part);
  while (!argv.empty() && argv.back().empty()) argv.pop_back();
  // Processes that rewrite their title put everything into argv[0] with spaces.
  if (argv.size() == 1 && argv[0].find(' ') != std::string::npos) {
    std::vector<std::string> words;
    for (auto w : split_ws(argv[0])) words.emplace_back(w);
    argv = std::move(words);
  }
  redact_argv(argv);
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out += ' ';
    out += a;
    if (out.size() >= max_len) break;
  }
  if (out.size() > max_len) {
    // The ellipsis only where it fits: below 3 bytes, max_len - 3 would wrap around.
    out = max_len >= 3 ? out.substr(0, max_len - 3) + "..." : out.substr(0, max_len);
  }
  return out;
}

namespace {

/// One log line with its secrets redacted.
std::string redact_log_line(std::string_view line) {
  // sudo, su and audit logs record whole command lines: the part after "COMMAND=" is an argv.
  constexpr std::string_view kCommand = "COMMAND=";
  const auto at = line.find(kCommand);
  if (at == std::string_view::npos) return redact_text(line);
  std::vector<std::string> argv;
  for (auto word : split_ws(line.substr(at + kCommand.size()))) argv.emplace_back(word);
  redact_argv(argv);
  std::string out(line.substr(0, at + kCommand.size()));
  for (std::size_t i = 0; i < argv.size(); ++i) out += (i ? " " : "") + argv[i];
  return redact_text(out);
}

}  // namespace

std::size_t redact_log(std::string& text) {
  std::string out;
  out.reserve(text.size());
  std::size_t changed = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    const bool last = end == std::string::npos;
    if (last) end = text.size();
    const std::string_view line(text.data() + start, end - start);
    auto redacted = redact_log_line(line);
    if (redacted != line) ++changed;
    out += redacted;
    if (!last) out += '\n';
    start = end + 1;
  }
  if (changed) text = std::move(out);
  return changed;
}

}  // namespace triage::agent
