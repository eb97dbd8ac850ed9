#include "agent/collectors/redact.hpp"

#include <array>
#include <cctype>

#include "agent/collectors/text.hpp"

namespace triage::agent {
namespace {

constexpr std::array<std::string_view, 17> kSecretWords = {
    "password", "passwd",    "passphrase", "pwd",        "secret", "token",
    "apikey",   "accesskey", "privatekey", "credential", "auth",   "sessionid",
    "cookie",   "signature", "clientkey",  "pass",       "bearer"};

/// Lower-case with "-", "_" and "." removed: "--Api_Key" -> "apikey".
std::string squash(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '-' || c == '_' || c == '.') continue;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

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
      for (std::string_view prefix : {"ghp_", "gho_", "ghs_", "ghu_", "github_pat_", "glpat-",
                                      "xoxb-", "xoxp-", "xoxa-", "sk-", "eyJ"}) {
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

/// "scheme://user:password@host" -> "scheme://user:[REDACTED]@host".
std::string redact_url_credentials(std::string_view s) {
  std::string out;
  std::size_t i = 0;
  for (;;) {
    auto scheme = s.find("://", i);
    if (scheme == std::string_view::npos) break;
    std::size_t start = scheme + 3;
    std::size_t end = start;
    while (end < s.size() && s[end] != '/' && s[end] != ' ' && s[end] != '@' && s[end] != '?')
      ++end;
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

bool is_mysql_client(std::string_view argv0) {
  auto slash = argv0.rfind('/');
  auto base = slash == std::string_view::npos ? argv0 : argv0.substr(slash + 1);
  return base == "mysql" || base == "mysqldump" || base == "mariadb" || base == "mysqladmin" ||
         base == "mariadb-dump";
}

}  // namespace

bool is_secret_name(std::string_view name) {
  auto s = squash(name);
  if (s.empty()) return false;
  for (auto word : kSecretWords) {
    if (word == "pass" || word == "pwd" || word == "auth") {
      // Short words only as a whole name or suffix ("dbpass", "--auth"), not "passive", "author".
      if (s == word || s.ends_with(word)) return true;
      continue;
    }
    if (s.find(word) != std::string::npos) return true;
  }
  return false;
}

std::string redact_text(std::string_view text) {
  return redact_patterns(redact_pairs(redact_url_credentials(text)));
}

std::string redact_env_value(std::string_view name, std::string_view value) {
  if (is_secret_name(name)) return std::string(kRedacted);
  return redact_text(value);
}

void redact_argv(std::vector<std::string>& argv) {
  bool mysql = !argv.empty() && is_mysql_client(argv[0]);
  bool redact_next = false;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    std::string& arg = argv[i];
    if (redact_next) {
      arg = kRedacted;
      redact_next = false;
      continue;
    }
    if (i == 0) {
      arg = redact_text(arg);
      continue;
    }
    if (arg.starts_with("-")) {
      auto eq = arg.find('=');
      std::string_view name = std::string_view(arg).substr(0, eq);
      if (is_secret_name(name)) {
        if (eq != std::string::npos) {
          arg = std::string(name) + "=" + std::string(kRedacted);
        } else if (i + 1 < argv.size() && !argv[i + 1].starts_with("-")) {
          redact_next = true;
        }
        continue;
      }
      if (mysql && arg.size() > 2 && arg.starts_with("-p")) {
        arg = "-p" + std::string(kRedacted);
        continue;
      }
    }
    // curl -H 'Authorization: Bearer x', sshpass -p x.
    if (starts_with_nocase(arg, "authorization") ||
        starts_with_nocase(arg, "proxy-authorization")) {
      auto colon = arg.find(':');
      arg = (colon == std::string::npos ? arg : arg.substr(0, colon + 1) + " ") +
            std::string(kRedacted);
      continue;
    }
    arg = redact_text(arg);
  }
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
  if (out.size() > max_len) out = out.substr(0, max_len - 3) + "...";
  return out;
}

}  // namespace triage::agent
